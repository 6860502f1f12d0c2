"""Accountants at work on the ICSOE addon: the Locust users of ``make load``.

    locust -f bench/load/locustfile.py --headless --host 127.0.0.1 ...

Run by ``scripts/load`` with the load virtualenv (Locust + odoolocust), against
the project's Odoo in prefork mode on a loopback port (``--host``, refused when
not loopback). Reads the scenario that ``bench/load/prepare.py`` wrote
(``LOAD_SCENARIO``, default ``out/load/scenario.json``).

Each simulated user is an odoolocust user with its own login; its ``odoolib``
client talks JSON-RPC to the web client's endpoints, as a browser does: one
login (``/web/session/authenticate``), then model calls on
``/web/dataset/call_kw`` with the session cookie. It opens the views of the
informativa and the contracts once (``get_views``, as the web client does on
the first visit) and then, with 1-3 s of think time, does what an accountant
does in the web client:

- Dashboard: ``l10n_mx_icsoe.dashboard.get_dashboard_data`` (the ICSOE landing
  page), or the informativa list where the dashboard does not exist;
- Informativa list: ``web_search_read`` with the list view's fields, unfiltered
  or on drafts or on the user's company;
- Contract list: ``web_search_read`` with the list view's fields, a page of 80,
  sometimes a search on the reference;
- Filing form: ``web_read`` of an informativa with the form view's fields, its
  contract and worker lines (40 of each, as the web client's x2many lists);
- Regenerate draft: ``action_generate`` on the user's draft, then the form again.
  Another user regenerating the same draft at that moment gets the addon's
  "being generated ... by someone else" message: counted apart, as
  "Regenerate draft (busy)", and not as an error.

Every call is one Locust request named after its page type, so Locust's
statistics (and ``bench/load/report.py``) give p50/p95 per page type.
"""

import csv
import itertools
import json
import os
import random
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import odoolib
from locust import between, events, task
from odoolib.tools import JsonRPCException
from OdooLocust.OdooLocustUser import OdooLocustUser

SCENARIO = json.loads(
    Path(os.environ.get("LOAD_SCENARIO", "out/load/scenario.json")).read_text(
        encoding="utf-8"
    )
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TIMEOUT = float(os.environ.get("LOAD_REQUEST_TIMEOUT", "120"))
FILING = "l10n_mx_icsoe.filing"
CONTRACT = "l10n_mx_icsoe.contract"
#: The addon's message when a report is locked by another transaction.
BUSY_MARK = "by someone else"
#: Rows of an x2many list in a form, and of a list view, as in the web client.
X2MANY_LIMIT = 40
LIST_LIMIT = 80

_accounts = itertools.cycle(SCENARIO["users"])
#: Every request (start, page type, milliseconds, ok): the report computes exact
#: percentiles from it (Locust's are rounded), over the whole run and while the
#: background import ran.
_samples = open(  # noqa: SIM115 - closed when Locust quits
    os.environ.get("LOAD_SAMPLES", "out/load/requests.csv"),
    "w",
    newline="",
    encoding="utf-8",
)
_writer = csv.writer(_samples)
_writer.writerow(["start", "name", "ms", "ok"])


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **_kwargs):
    _writer.writerow(
        [
            f"{start_time or time.time():.3f}",
            name,
            f"{response_time:.1f}",
            int(exception is None),
        ]
    )


@events.quitting.add_listener
def _close_samples(**_kwargs):
    _samples.close()


@events.init.add_listener
def _loopback_only(environment, **_kwargs):
    """The scenario runs against a server on this machine, never elsewhere."""
    if urlsplit(environment.host or "").hostname not in LOOPBACK:
        raise SystemExit(
            f"load: --host must be http://127.0.0.1:PORT (loopback), not {environment.host!r}"
        )


class Busy(Exception):
    """The expected refusal of a concurrent regeneration."""


class Connector(odoolib.JsonRPCConnector):
    """odoolib's JSON-RPC connector speaking to the web client's endpoints.

    Like the browser, it logs in once (``/web/session/authenticate``: one
    password check) and sends every model call to ``/web/dataset/call_kw`` with
    the session cookie, over one kept-alive HTTP client with a timeout. Each
    call is one Locust request, named after the page being opened.
    """

    def __init__(self, hostname, port):
        super().__init__(hostname, port)
        self.base = f"http://{hostname}:{port}"
        self.http = httpx.Client(timeout=TIMEOUT)
        self.page = None

    def _route(self, service_name, method, args):
        """(path, params, how to read the result) of one odoolib call."""
        if (service_name, method) == ("common", "login"):
            db, login, password = args
            return (
                "/web/session/authenticate",
                {"db": db, "login": login, "password": password},
                lambda result: result["uid"],
            )
        if (service_name, method) == ("object", "execute_kw"):
            _db, _uid, _password, model, model_method, call_args, *kwargs = args
            return (
                f"/web/dataset/call_kw/{model}/{model_method}",
                {
                    "model": model,
                    "method": model_method,
                    "args": call_args,
                    "kwargs": (kwargs or [{}])[0] or {},
                },
                lambda result: result,
            )
        return (
            "/jsonrpc",
            {"service": service_name, "method": method, "args": args},
            lambda result: result,
        )

    def send(self, service_name, method, *args):
        name = self.page or f"{service_name}.{method}"
        path, params, read = self._route(service_name, method, args)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": params,
            "id": random.randint(0, 10**9),
        }
        started, start = time.time(), time.perf_counter()
        length, exception, result = 0, None, None
        try:
            response = self.http.post(self.base + path, json=payload)
            length = len(response.content)
            response.raise_for_status()
            body = response.json()
            if body.get("error"):
                raise JsonRPCException(body["error"])
            result = read(body.get("result", False))
        except JsonRPCException as error:
            data = error.error.get("data") or {}
            if data.get("name") == "odoo.exceptions.UserError" and BUSY_MARK in (
                data.get("message") or ""
            ):
                name, exception = f"{name} (busy)", None
                result = Busy(data["message"])
            else:
                exception = error
        except Exception as error:  # noqa: BLE001 - every failure is a failed request
            exception = error
        elapsed = (time.perf_counter() - start) * 1000
        events.request.fire(
            request_type="JSON-RPC",
            name=name,
            response_time=elapsed,
            response_length=length,
            exception=exception,
            context={},
            start_time=started,
        )
        if exception is not None:
            raise exception
        return result


# ---------------------------------------------------------------- views


def _direct_fields(node):
    """The <field> elements of ``node`` that are not inside another field."""
    for child in node:
        if child.tag == "field":
            yield child
        else:
            yield from _direct_fields(child)


def _field_spec(field, models, model, node=None):
    """web_read/web_search_read specification of one field, as the web client sends."""
    info = models.get(model, {}).get("fields", {}).get(field)
    if info is None:
        return None
    ftype = info.get("type")
    if ftype in ("many2one", "reference", "many2one_reference"):
        return {"fields": {"display_name": {}}} if ftype == "many2one" else {}
    if ftype in ("one2many", "many2many"):
        sub = node.find("list") if node is not None else None
        if sub is None:
            return {"fields": {"display_name": {}}}
        comodel = info["relation"]
        return {
            "fields": _spec(sub, models, comodel),
            "limit": X2MANY_LIMIT,
            "order": "",
        }
    return {}


def _spec(arch_node, models, model):
    spec = {}
    for node in _direct_fields(arch_node):
        name = node.get("name")
        value = _field_spec(name, models, model, node)
        if value is not None:
            spec[name] = value
    return spec


def view_specs(result, model):
    """{view type: specification} from a ``get_views`` result."""
    models = result.get("models", {})
    specs = {}
    for view_type, view in result.get("views", {}).items():
        if view_type in ("list", "form"):
            specs[view_type] = _spec(ET.fromstring(view["arch"]), models, model)
    return specs


# ---------------------------------------------------------------- the user


class Accountant(OdooLocustUser):
    """An accountant of the provider's group, with a login and a draft of its own."""

    host = "http://127.0.0.1:8069"
    protocol = "jsonrpc"
    database = SCENARIO["db"]
    wait_time = between(1, 3)

    def on_start(self):
        account = next(_accounts)
        self.account = account
        self.login, self.password = account["login"], account["password"]
        url = urlsplit(self.host)
        self.client = odoolib.get_connection(
            hostname=url.hostname,
            port=url.port or 80,
            protocol=self.protocol,
            database=self.database,
            login=self.login,
            password=self.password,
        )
        self.client.connector = Connector(url.hostname, url.port or 80)
        with self.page("Login"):
            self.client.check_login(force=True)
        home = account["company_id"]
        self.context = {
            "lang": "en_US",
            "tz": "America/Mexico_City",
            "uid": self.client.user_id,
            "allowed_company_ids": [home]
            + [c for c in SCENARIO["companies"] if c != home],
            "bin_size": True,
        }
        self.filings = self.client.get_model(FILING)
        self.contracts = self.client.get_model(CONTRACT)
        self.specs = {}
        with self.page("Open views (get_views)"):
            for model in (FILING, CONTRACT):
                action = SCENARIO["actions"].get(model.rsplit(".", 1)[1]) or False
                result = self.client.get_model(model).get_views(
                    views=[[False, "list"], [False, "form"], [False, "search"]],
                    options={
                        "action_id": action,
                        "load_filters": True,
                        "toolbar": True,
                    },
                    context=self.context,
                )
                self.specs[model] = view_specs(result, model)
        self.seen_filings = [account["draft_id"]]

    def page(self, name):
        return _Page(self.client.connector, name)

    # ------------------------------------------------------------ pages

    @task(3)
    def dashboard(self):
        if not SCENARIO["dashboard"]:
            return self.informativa_list()
        with self.page("Dashboard"):
            self.client.get_model("l10n_mx_icsoe.dashboard").get_dashboard_data(
                context=self.context
            )

    @task(3)
    def informativa_list(self):
        domain = random.choice(
            [
                [],
                [("state", "=", "draft")],
                [("company_id", "=", self.account["company_id"])],
            ]
        )
        with self.page("Informativa list"):
            result = self.filings.web_search_read(
                domain=domain,
                specification=self.specs[FILING]["list"],
                offset=0,
                limit=LIST_LIMIT,
                order="",
                count_limit=10001,
                context=self.context,
            )
        ids = [record["id"] for record in result["records"]]
        if ids:
            self.seen_filings = ids

    @task(3)
    def contract_list(self):
        if random.random() < 0.3:
            domain = [("name", "ilike", f"-{random.randint(0, 99):02d}")]
            offset = 0
        else:
            domain = []
            offset = LIST_LIMIT * random.randint(0, 4)
        with self.page("Contract list"):
            self.contracts.web_search_read(
                domain=domain,
                specification=self.specs[CONTRACT]["list"],
                offset=offset,
                limit=LIST_LIMIT,
                order="",
                count_limit=10001,
                context=self.context,
            )

    @task(3)
    def filing_form(self, filing_id=None):
        filing_id = filing_id or random.choice(self.seen_filings)
        with self.page("Filing form"):
            self.filings.web_read(
                [filing_id],
                specification=self.specs[FILING]["form"],
                context=self.context,
            )

    @task(1)
    def regenerate_draft(self):
        draft = self.account["draft_id"]
        with self.page("Regenerate draft"):
            result = self.filings.action_generate([draft], context=self.context)
        if not isinstance(result, Busy):
            self.filing_form(draft)  # the action reloads the form


class _Page:
    """Names the calls made inside it after a page type."""

    def __init__(self, connector, name):
        self.connector, self.name = connector, name

    def __enter__(self):
        self.connector.page = self.name
        return self

    def __exit__(self, *exc):
        self.connector.page = None
        return False
