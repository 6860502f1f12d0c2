"""Over the wire: every way a client could forge, move or read ICSOE data.

The server is called for real, as each kind of user, over XML-RPC
(``/xmlrpc/2/object``) and over JSON-RPC (the web client's
``/web/dataset/call_kw`` with a logged-in session). Each attempt runs inside a
savepoint that is rolled back afterwards, so one attempt that got through does
not make the next one fail for another reason. A refusal must be one of Odoo's
user-facing errors (AccessError, UserError, ValidationError), never a
traceback, and the database must be as it was.
"""

import base64
import io
import json
import logging
import xmlrpc.client
import zipfile
from contextlib import contextmanager
from datetime import date, datetime

from odoo import Command
from odoo.exceptions import (
    AccessDenied,
    AccessError,
    MissingError,
    UserError,
    ValidationError,
)
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_curp, make_nss

from .test_filing import IcsoeFilingCase

_logger = logging.getLogger(__name__)
PDF = base64.b64encode(b"%PDF-1.4 acuse").decode()
FORGED_PDF = base64.b64encode(b"%PDF-1.4 forged acuse").decode()
FILING = "l10n_mx_icsoe.filing"
FILING_MODELS = (FILING, "l10n_mx_icsoe.filing.contract", "l10n_mx_icsoe.filing.worker")
PROTOCOLS = ("xmlrpc", "jsonrpc")
# /xmlrpc/2 fault codes (odoo/addons/base/controllers/rpc.py): 2 covers UserError
# and its subclasses (ValidationError, MissingError), 1 is a traceback.
XMLRPC_FAULTS = {2: UserError, 3: AccessDenied, 4: AccessError}
ERRORS = {
    cls.__name__: cls
    for cls in (AccessDenied, AccessError, MissingError, UserError, ValidationError)
}
REFUSED = (AccessError, UserError)  # UserError includes ValidationError
NOISY_LOGGERS = ("odoo.http", "odoo.sql_db", "odoo.addons.base.models.ir_rule")


class Outcome:
    """What one call returned: a result, or the error class and message."""

    def __init__(self, protocol, result=None, error=None, message=""):
        self.protocol = protocol
        self.result = result
        self.error = error  # an odoo.exceptions class, or the raw error name
        self.message = message

    def __repr__(self):
        if self.error is None:
            return f"<{self.protocol}: returned {self.result!r:.300}>"
        return f"<{self.protocol}: {self.error} {self.message[-600:]!r}>"

    def text(self):
        """Everything the client received, for leak checks."""
        return json.dumps(self.result, default=str) + self.message


@tagged("post_install", "-at_install")
class TestRpcSecurity(IcsoeFilingCase, HttpCase):
    """Company A has a filed 2026-1 Normal, a confirmed 2025-3 Normal and a draft
    2025-2; company B has its own registration, worker, contract and draft 2025-1.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company_a, company_b = cls.company_a, cls.company_b
        cls.portal_user = new_test_user(
            env,
            login="portal_a",
            groups="base.group_portal",
            company_id=company_a.id,
            company_ids=company_a.ids,
        )
        Filing = env[FILING]
        w0 = cls.workers[0]
        # Distinctive references, to catch them in what company B receives.
        cls.c1.name, cls.c2.name = "A-CLEAN-2026-001", "A-CLEAN-2026-002"
        # A Normal of 2025-3 with one contract, to be confirmed only.
        cls.c3 = env["l10n_mx_icsoe.contract"].create(
            cls._contract_vals(
                name="A-CLEAN-2025-003",
                date_start=date(2025, 10, 1),
                assignment_ids=[
                    Command.create(
                        {"employee_id": w0.id, "date_from": date(2025, 12, 1)}
                    )
                ],
            )
        )
        # The workflow runs with tracking, as in production: the filed informativa
        # keeps the tracking message of its state.
        as_user = Filing.with_user(cls.icsoe_user).with_context(tracking_disable=False)
        cls.filed, cls.confirmed, cls.draft = as_user.create(
            [
                {"company_id": company_a.id, "year": 2026, "period": "1"},
                {"company_id": company_a.id, "year": 2025, "period": "3"},
                {"company_id": company_a.id, "year": 2025, "period": "2"},
            ]
        )
        (cls.filed | cls.confirmed | cls.draft).action_generate()
        env.cr.flush()  # ends the "request": a creation tracks nothing
        (cls.filed | cls.confirmed).with_user(cls.icsoe_manager).action_confirm()
        filed = cls.filed.with_user(cls.icsoe_manager)
        filed._register_filed(
            "N262253432", datetime(2026, 5, 4, 18, 0), PDF, "acuse.pdf"
        )
        cls.note = filed.message_post(
            body="Acuse received at the IMSS window.",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        env.cr.flush()  # tracking messages are written at the end of the request
        cls.filed, cls.confirmed, cls.draft = (
            cls.filed.with_env(env),
            cls.confirmed.with_env(env),
            cls.draft.with_env(env),
        )
        assert cls.filed.state == "filed" and cls.confirmed.state == "confirmed"
        assert cls.confirmed.contract_count == 1 and cls.draft.state == "draft"
        cls.tracking = env["mail.message"].search(
            [
                ("model", "=", FILING),
                ("res_id", "=", cls.filed.id),
                ("tracking_value_ids.field_id.name", "=", "state"),
            ]
        )
        assert cls.tracking, "no tracking message on the filed informativa"
        Attachment = env["ir.attachment"]
        cls.exports = cls._export_attachments(cls.filed)
        cls.acuse = Attachment.search(
            [
                ("res_model", "=", FILING),
                ("res_id", "=", cls.filed.id),
                ("res_field", "=", "acuse"),
            ]
        )
        assert cls.exports and cls.acuse
        # An attachment of the ICSOE User's own, on a contract he can edit.
        cls.own_attachment = Attachment.with_user(cls.icsoe_user).create(
            {
                "name": "notes.txt",
                "raw": b"my notes",
                "res_model": "l10n_mx_icsoe.contract",
                "res_id": cls.c1.id,
            }
        )
        # Company B: its own registration, worker, contract and draft.
        cls.service_b = (
            env["l10n_mx_icsoe.repse.registration"]
            .create(
                {
                    "name": "AR67890/2024",
                    "company_id": company_b.id,
                    "registration_date": date(2024, 3, 1),
                    "service_ids": [
                        Command.create({"folio": "20001", "description": "Vigilancia"})
                    ],
                }
            )
            .service_ids
        )
        cls.worker_b = env["hr.employee"].create(
            {
                "name": "Trabajador B",
                "company_id": company_b.id,
                "ssnid": make_nss("1215901209"),
                "l10n_mx_curp": make_curp("PEGJ900120HDFRRN0"),
            }
        )
        cls.contract_b = env["l10n_mx_icsoe.contract"].create(
            cls._contract_vals(
                name="CB1",
                company_id=company_b.id,
                repse_service_id=cls.service_b.id,
                date_start=date(2026, 2, 15),
                assignment_ids=[
                    Command.create(
                        {
                            "employee_id": cls.worker_b.id,
                            "date_from": date(2026, 2, 15),
                        }
                    )
                ],
            )
        )
        cls.draft_b = Filing.create(
            {"company_id": company_b.id, "year": 2025, "period": "1"}
        )
        # What company B must never learn of company A: worker identities and names,
        # contract references.
        cls.secrets = [
            *(s for w in cls.workers for s in (w.ssnid, w.l10n_mx_curp, w.name)),
            *(cls.c1 | cls.c2 | cls.c3).mapped("name"),
        ]
        env.flush_all()

    # ------------------------------------------------------------------ helpers

    def setUp(self):
        super().setUp()
        self._json_user = None

    def _password(self, user):
        return user.login + "x" * (8 - len(user.login))  # as new_test_user sets it

    def _call(self, protocol, user, model, method, args, kwargs=None):
        """``model.method(*args, **kwargs)`` as ``user``, over the wire.

        Every outcome is logged at DEBUG level, to see what the server answered:
        ``--log-handler=odoo.addons.l10n_mx_icsoe.tests.test_rpc_security:DEBUG``.
        """
        outcome = self._send(protocol, user, model, method, args, kwargs)
        _logger.debug(
            "%s %s.%s as %s: %r", protocol, model, method, user.login, outcome
        )
        return outcome

    def _send(self, protocol, user, model, method, args, kwargs):
        kwargs = kwargs or {}
        if protocol == "xmlrpc":
            try:
                result = self.xmlrpc_object.execute_kw(
                    self.env.cr.dbname,
                    user.id,
                    self._password(user),
                    model,
                    method,
                    args,
                    kwargs,
                )
            except xmlrpc.client.Fault as fault:
                error = XMLRPC_FAULTS.get(fault.faultCode, "traceback")
                return Outcome(protocol, error=error, message=fault.faultString)
            return Outcome(protocol, result)
        if self._json_user != user:
            self.authenticate(user.login, self._password(user))
            self._json_user = user
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs,
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        body = response.json()
        if "error" in body:
            data = body["error"]["data"]
            name = data["name"]
            error = (
                ERRORS.get(name.rsplit(".", 1)[1], name)
                if name.startswith("odoo.exceptions.")
                else name
            )
            return Outcome(protocol, error=error, message=data["message"])
        return Outcome(protocol, body["result"])

    @contextmanager
    def _attempt(self, protocol, user, **info):
        """A subTest whose database changes are rolled back when it ends."""
        with self.subTest(protocol=protocol, user=user.login, **info):
            self.env.flush_all()
            savepoint = self.env.cr.savepoint(flush=False)
            try:
                with mute_logger(*NOISY_LOGGERS):
                    yield
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()

    def _attempts(self, users, protocols=PROTOCOLS):
        for user in users:
            for protocol in protocols:
                yield protocol, user

    def assertRefused(self, outcome, expected=REFUSED):
        """The call failed with one of ``expected`` (classes), not a traceback."""
        self.assertIsNotNone(outcome.error, f"not refused: {outcome!r}")
        error = outcome.error
        if outcome.protocol == "xmlrpc" and error is UserError:
            # /xmlrpc/2 gives UserError and its subclasses one and the same fault code
            ok = any(issubclass(cls, UserError) for cls in expected)
        else:
            ok = isinstance(error, type) and issubclass(error, expected)
        self.assertTrue(
            ok,
            f"refused with {error} instead of {[c.__name__ for c in expected]}: "
            f"{outcome!r}",
        )

    def assertNoLeak(self, outcome, secrets=None):
        text = outcome.text()
        for secret in secrets or self.secrets:
            self.assertNotIn(secret, text, f"{secret!r} leaked: {outcome!r}")

    def _filing_state(self, filing):
        """The values a forger would like to change, read fresh as the superuser."""
        self.env.invalidate_all()
        fields_ = [
            "name",
            "company_id",
            "year",
            "period",
            "date_start",
            "date_end",
            "deadline",
            "state",
            "filing_type",
            "replaced_filing_id",
            "imss_folio",
            "filed_datetime",
            "confirmed_at",
            "snapshot_sha256",
            "contract_count",
            "error_count",
        ]
        return filing.sudo().read(fields_)[0]

    def _period_filings(self, year, period, company=None):
        self.env.invalidate_all()
        return (
            self.env[FILING]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", (company or self.company_a).id),
                    ("year", "=", year),
                    ("period", "=", period),
                ]
            )
        )

    @classmethod
    def _export_attachments(cls, filing):
        """The files the filing stands by (its frozen exports), read as the superuser."""
        cls.env.invalidate_all()
        return filing.with_env(cls.env).export_attachment_ids

    def _zip_names(self, filing):
        self.env.invalidate_all()
        with zipfile.ZipFile(io.BytesIO(filing.sudo()._zip_bytes())) as archive:
            return archive.namelist()

    def assertSafeNames(self, names):
        bad = [n for n in names if "/" in n or "\\" in n or ".." in n]
        self.assertFalse(bad, f"unsafe names in the ZIP: {bad}")

    # ------------------------------------------------------------------ 1. create

    def test_01_create_filed_refused(self):
        """A filing cannot be born filed, nor as a complementaria by hand."""
        forged = {
            "company_id": self.company_a.id,
            "year": 2024,
            "period": "3",
            "state": "filed",
            "imss_folio": "N269999999",
        }
        for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
            with self._attempt(protocol, user):
                outcome = self._call(protocol, user, FILING, "create", [forged])
                self.assertRefused(outcome)
                self.assertFalse(self._period_filings(2024, "3"))
        for filing_type in ("correction", "void"):
            vals = {
                "company_id": self.company_a.id,
                "year": 2026,
                "period": "1",
                "filing_type": filing_type,
                "replaced_filing_id": self.filed.id,
            }
            for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
                with self._attempt(protocol, user, filing_type=filing_type):
                    outcome = self._call(protocol, user, FILING, "create", [vals])
                    self.assertRefused(outcome)
                    self.assertEqual(self._period_filings(2026, "1"), self.filed)
                    self.assertEqual(self._filing_state(self.filed)["state"], "filed")
        for protocol, user in self._attempts((self.icsoe_user,)):
            with self._attempt(protocol, user, method="action_new_correction"):
                outcome = self._call(
                    protocol, user, FILING, "action_new_correction", [self.filed.ids]
                )
                self.assertRefused(outcome, (AccessError,))
                self.assertEqual(self._period_filings(2026, "1"), self.filed)

    def test_02_create_protected_fields_refused_or_ignored(self):
        forged = {
            "state": "filed",
            "imss_folio": "N269999999",
            "filed_datetime": "2026-05-04 18:00:00",
            "confirmed_at": "2026-05-04 18:00:00",
            "snapshot_sha256": "f" * 64,
            "error_count": 77,
            "contract_count": 77,
            "date_start": "2000-01-01",
            "date_end": "2030-12-31",
            "deadline": "2030-12-31",
            "name": "../../forged",
            "acuse": FORGED_PDF,
            "export_attachment_ids": [(6, 0, self.own_attachment.ids)],
            "exports_sha256": "f" * 64,
            "is_effective": True,
        }
        base = {"company_id": self.company_a.id, "year": 2024, "period": "1"}
        for field, value in forged.items():
            for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
                with self._attempt(protocol, user, field=field):
                    outcome = self._call(
                        protocol, user, FILING, "create", [{**base, field: value}]
                    )
                    created = self._period_filings(2024, "1")
                    if outcome.error is not None:
                        self.assertRefused(outcome)
                        self.assertFalse(created)
                        continue
                    # accepted: the forged value must have been ignored
                    self.assertEqual(len(created), 1)
                    if field == "export_attachment_ids":
                        self.assertFalse(self._export_attachments(created))
                        self.assertEqual(
                            self.own_attachment.res_model, "l10n_mx_icsoe.contract"
                        )
                        continue
                    stored = created.sudo()[field]
                    if field == "acuse":
                        self.assertFalse(stored)
                    elif field == "state":
                        self.assertEqual(stored, "draft")
                    else:
                        self.assertNotEqual(
                            str(stored) if stored is not False else stored,
                            str(value),
                            f"{field} kept the forged value",
                        )

    # ------------------------------------------------------------------ 2. write

    def test_03_write_draft_workflow_fields_refused(self):
        forged = {
            "date_start": "2000-01-01",
            "date_end": "2030-12-31",
            "name": "Forged name",
            "deadline": "2030-12-31",
            "state": "filed",
            "imss_folio": "N269999999",
            "filing_type": "correction",
            "replaced_filing_id": self.filed.id,
        }
        before = self._filing_state(self.draft)
        for field, value in forged.items():
            for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
                with self._attempt(protocol, user, field=field):
                    outcome = self._call(
                        protocol,
                        user,
                        FILING,
                        "write",
                        [self.draft.ids, {field: value}],
                    )
                    self.assertRefused(outcome)
                    self.assertEqual(self._filing_state(self.draft), before)

    def test_04_write_filed_refused(self):
        attempts = {
            "imss_folio": "N269999999",
            "filed_datetime": "2026-05-10 18:00:00",
            "filing_type": "no_info",
            "year": 2024,
            "company_id": self.company_b.id,
            "contract_line_ids": [(2, self.filed.contract_line_ids[0].id)],
        }
        before = self._filing_state(self.filed)
        lines = (self.filed.contract_line_ids, self.filed.worker_line_ids)
        for field, value in attempts.items():
            for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
                with self._attempt(protocol, user, field=field):
                    outcome = self._call(
                        protocol,
                        user,
                        FILING,
                        "write",
                        [self.filed.ids, {field: value}],
                    )
                    self.assertRefused(outcome)
                    self.assertEqual(self._filing_state(self.filed), before)
                    for records in lines:
                        self.assertEqual(records.exists(), records)

    # ------------------------------------------------------------------ 3. copy

    def test_05_copy_refused(self):
        free_period = {"year": 2024, "period": "1"}
        forged = {**free_period, "state": "filed", "imss_folio": "N269999999"}
        cases = [
            ("filed", self.filed, {}),
            ("filed to a free period", self.filed, free_period),
            ("draft to a free period", self.draft, free_period),
            ("draft, forged", self.draft, forged),
        ]
        before = self.env[FILING].sudo().search_count([])
        for label, filing, default in cases:
            for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
                with self._attempt(protocol, user, case=label):
                    outcome = self._call(
                        protocol,
                        user,
                        FILING,
                        "copy",
                        [filing.ids],
                        {"default": default},
                    )
                    self.assertRefused(outcome)
                    self.env.invalidate_all()
                    self.assertEqual(self.env[FILING].sudo().search_count([]), before)

    # ------------------------------------------------------------------ 4. load

    def test_06_load_filed_refused(self):
        fields_ = ["year", "period", "state", "imss_folio"]
        rows = [["2024", "2", "filed", "N269999999"]]
        for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
            with self._attempt(protocol, user):
                outcome = self._call(protocol, user, FILING, "load", [fields_, rows])
                if outcome.error is not None:
                    self.assertRefused(outcome)
                else:
                    self.assertFalse(outcome.result["ids"], outcome)
                    self.assertTrue(outcome.result["messages"], outcome)
                self.env.invalidate_all()
                forged = (
                    self.env[FILING]
                    .sudo()
                    .search(
                        [
                            "|",
                            ("imss_folio", "=", "N269999999"),
                            ("state", "!=", "draft"),
                            ("year", "=", 2024),
                        ]
                    )
                )
                self.assertFalse(forged)
                self.assertFalse(self._period_filings(2024, "2"))

    # ------------------------------------------------------------------ 5. unlink

    def test_07_unlink_frozen_refused(self):
        targets = [
            (FILING, self.filed),
            (FILING, self.confirmed),
            ("l10n_mx_icsoe.filing.contract", self.filed.contract_line_ids),
            ("l10n_mx_icsoe.filing.worker", self.filed.worker_line_ids),
            ("l10n_mx_icsoe.filing.contract", self.confirmed.contract_line_ids),
            ("l10n_mx_icsoe.filing.worker", self.confirmed.worker_line_ids),
            # the sources the filed lines point at
            ("l10n_mx_icsoe.contract", self.c1),
            ("l10n_mx_icsoe.repse.registration", self.registration),
            ("res.partner", self.client),
        ]
        for model, records in targets:
            self.assertTrue(records)
            for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
                with self._attempt(protocol, user, model=model, ids=records.ids):
                    outcome = self._call(protocol, user, model, "unlink", [records.ids])
                    self.assertRefused(outcome)
                    self.env.invalidate_all()
                    self.assertEqual(records.exists(), records)

    # ------------------------------------------------------------------ 6. attachments

    def test_08_attachments_on_frozen_filings(self):
        users = (self.icsoe_user, self.icsoe_manager)
        for filing in (self.confirmed, self.filed):
            exports = self._export_attachments(filing)
            names = self._zip_names(filing)
            self.assertSafeNames(names)
            vals = {
                "name": "../../probe.txt",
                "raw": "probe",
                "res_model": FILING,
                "res_id": filing.id,
                "description": "l10n_mx_icsoe_export",
            }
            moved = {
                "res_model": FILING,
                "res_id": filing.id,
                "name": "../../probe.txt",
                "description": "l10n_mx_icsoe_export",
            }
            for protocol, user in self._attempts(users):
                for label, method, args in (
                    ("create", "create", [vals]),
                    ("move", "write", [self.own_attachment.ids, moved]),
                ):
                    with self._attempt(protocol, user, filing=filing.name, how=label):
                        outcome = self._call(
                            protocol, user, "ir.attachment", method, args
                        )
                        if outcome.error is not None:
                            self.assertRefused(outcome)
                        self.assertEqual(self._export_attachments(filing), exports)
                        self.assertEqual(self._zip_names(filing), names)
        # a second acuse
        acuse_vals = {
            "name": "acuse.pdf",
            "datas": FORGED_PDF,
            "res_model": FILING,
            "res_id": self.filed.id,
            "res_field": "acuse",
        }
        for protocol, user in self._attempts(users):
            with self._attempt(protocol, user, how="acuse"):
                outcome = self._call(
                    protocol, user, "ir.attachment", "create", [acuse_vals]
                )
                if outcome.error is not None:
                    self.assertRefused(outcome)
                self.env.invalidate_all()
                self.assertEqual(self.filed.sudo().acuse.decode(), PDF)
        # the real exports and acuse stay as they are
        names = self._zip_names(self.filed)
        frozen = (self.exports[0] | self.acuse).ids
        for protocol in PROTOCOLS:
            for label, method, args in (
                ("rename", "write", [frozen, {"name": "../../probe.txt"}]),
                ("replace", "write", [frozen, {"raw": "forged"}]),
                ("unlink", "unlink", [frozen]),
            ):
                with self._attempt(protocol, self.icsoe_manager, how=label):
                    outcome = self._call(
                        protocol, self.icsoe_manager, "ir.attachment", method, args
                    )
                    self.assertRefused(outcome)
                    self.env.invalidate_all()
                    self.assertEqual(self._export_attachments(self.filed), self.exports)
                    self.assertEqual(self.filed.sudo().acuse.decode(), PDF)
                    self.assertEqual(self._zip_names(self.filed), names)

    def test_09_export_names_cannot_traverse(self):
        """Nothing a user types ends up as a path in the ZIP (or the command's output)."""
        for protocol, user in self._attempts((self.icsoe_user, self.icsoe_manager)):
            with self._attempt(protocol, user, how="filing name"):
                outcome = self._call(
                    protocol,
                    user,
                    FILING,
                    "write",
                    [self.draft.ids, {"name": "../../probe"}],
                )
                if outcome.error is not None:
                    self.assertRefused(outcome)
                self.assertSafeNames(self._zip_names(self.draft))
        protocol = "jsonrpc"
        with self._attempt(protocol, self.icsoe_user, how="contract reference"):
            outcome = self._call(
                protocol,
                self.icsoe_user,
                "l10n_mx_icsoe.contract",
                "create",
                [
                    self._contract_vals(
                        name="../../probe",
                        date_start="2025-06-01",
                        assignment_ids=[
                            Command.create(
                                {
                                    "employee_id": self.workers[0].id,
                                    "date_from": "2025-06-01",
                                }
                            )
                        ],
                        partner_id=self.client.id,
                        company_id=self.company_a.id,
                        repse_service_id=self.service.id,
                    )
                ],
            )
            if outcome.error is not None:
                self.assertRefused(outcome)
            else:
                outcome = self._call(
                    protocol,
                    self.icsoe_user,
                    FILING,
                    "action_generate",
                    [self.draft.ids],
                )
                self.assertIsNone(outcome.error, outcome)
                self.assertEqual(self._filing_state(self.draft)["contract_count"], 1)
            self.assertSafeNames(self._zip_names(self.draft))

    # ------------------------------------------------------------------ 7. messages

    def test_10_chatter_of_filed_is_kept(self):
        messages = self.tracking | self.note
        bodies = {m.id: m.body for m in messages}
        users = (self.icsoe_user, self.icsoe_manager)
        for message in messages:
            kind = "tracking" if message == self.tracking[:1] else "note"
            attempts = [
                ("unlink", "mail.message", "unlink", [message.ids]),
                ("write", "mail.message", "write", [message.ids, {"body": "edited"}]),
                (
                    "unlink through the thread",
                    FILING,
                    "write",
                    [self.filed.ids, {"message_ids": [(2, message.id)]}],
                ),
            ]
            for protocol, user in self._attempts(users):
                for label, model, method, args in attempts:
                    with self._attempt(protocol, user, message=kind, how=label):
                        outcome = self._call(protocol, user, model, method, args)
                        self.assertRefused(outcome)
                        self.env.invalidate_all()
                        self.assertTrue(message.exists())
                        self.assertEqual(message.body, bodies[message.id])
            # the chatter's own edit/delete route, as the author and as the user
            for user in users:
                with self._attempt("jsonrpc", user, message=kind, how="route"):
                    self.authenticate(user.login, self._password(user))
                    self._json_user = user
                    for body in ("edited", ""):  # an empty body deletes it
                        response = self.url_open(
                            "/mail/message/update_content",
                            data=json.dumps(
                                {
                                    "params": {
                                        "message_id": message.id,
                                        "body": body,
                                        "attachment_ids": [],
                                    }
                                }
                            ),
                            headers={"Content-Type": "application/json"},
                        )
                        error = response.json().get("error")
                        self.assertTrue(error, f"{body!r} accepted: {response.text}")
                        self.assertIn(
                            error["data"]["name"],
                            (
                                "odoo.exceptions.AccessError",
                                "odoo.exceptions.UserError",
                                "odoo.exceptions.ValidationError",
                                "werkzeug.exceptions.NotFound",
                            ),
                        )
                        self.env.invalidate_all()
                        self.assertEqual(message.body, bodies[message.id])
        # a Manager can still add a note
        for protocol in PROTOCOLS:
            with self._attempt(protocol, self.icsoe_manager, how="message_post"):
                outcome = self._call(
                    protocol,
                    self.icsoe_manager,
                    FILING,
                    "message_post",
                    [self.filed.ids],
                    {
                        "body": f"Note over {protocol}",
                        "message_type": "comment",
                        "subtype_xmlid": "mail.mt_note",
                    },
                )
                self.assertIsNone(outcome.error, outcome)
                self.env.invalidate_all()
                self.assertIn(
                    f"Note over {protocol}",
                    "".join(self.filed.sudo().message_ids.mapped("body")),
                )

    # ------------------------------------------------------------------ 8. companies

    def test_11_other_company_reads_nothing(self):
        user_b = self.icsoe_user_b
        a_records = {
            FILING: self.filed | self.confirmed | self.draft,
            "l10n_mx_icsoe.filing.contract": self.filed.contract_line_ids,
            "l10n_mx_icsoe.filing.worker": self.filed.worker_line_ids,
            "l10n_mx_icsoe.contract": self.c1 | self.c2 | self.c3,
            "l10n_mx_icsoe.contract.assignment": self.c1.assignment_ids,
            "hr.employee": self.workers,
        }
        for model, records in a_records.items():
            domain = [("id", "in", records.ids)]
            for protocol in PROTOCOLS:
                with self._attempt(protocol, user_b, model=model):
                    read = self._call(
                        protocol, user_b, model, "read", [records.ids, ["display_name"]]
                    )
                    self.assertRefused(read, (AccessError,))
                    self.assertNoLeak(read)
                    found = self._call(
                        protocol, user_b, model, "search_read", [domain, ["id"]]
                    )
                    self.assertEqual(found.result, [], found)
                    count = self._call(
                        protocol, user_b, model, "search_count", [domain]
                    )
                    self.assertEqual(count.result, 0, count)
                    groups = self._call(
                        protocol,
                        user_b,
                        model,
                        "read_group",
                        [[], ["company_id"], ["company_id"]],
                    )
                    self.assertIsNone(groups.error, groups)
                    self.assertNotIn(
                        self.company_a.id,
                        [g["company_id"] and g["company_id"][0] for g in groups.result],
                    )
        # neither the attachments nor the chatter of A's filings, nor their files
        for protocol in PROTOCOLS:
            with self._attempt(protocol, user_b, how="attachments and messages"):
                for model, field in (
                    ("ir.attachment", "res_model"),
                    ("mail.message", "model"),
                ):
                    found = self._call(
                        protocol,
                        user_b,
                        model,
                        "search_read",
                        [
                            [(field, "=", FILING), ("res_id", "=", self.filed.id)],
                            ["id"],
                        ],
                    )
                    self.assertEqual(found.result, [], found)
        self.authenticate(user_b.login, self._password(user_b))
        for url in (
            f"/web/content/{self.exports[0].id}?download=true",
            f"/web/content/{FILING}/{self.filed.id}/acuse",
        ):
            with mute_logger(*NOISY_LOGGERS):
                response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)

    def test_12_other_company_references_refused(self):
        user_b, user_a = self.icsoe_user_b, self.icsoe_user
        w0 = self.workers[0]
        attempts = [
            (
                "contract on A's REPSE service",
                user_b,
                "l10n_mx_icsoe.contract",
                "create",
                [
                    self._contract_vals(
                        name="CB-X",
                        company_id=self.company_b.id,
                        repse_service_id=self.service.id,
                        date_start="2026-02-20",
                    )
                ],
            ),
            (
                "assignment on A's contract",
                user_b,
                "l10n_mx_icsoe.contract.assignment",
                "create",
                [
                    {
                        "contract_id": self.c1.id,
                        "employee_id": self.worker_b.id,
                        "date_from": "2026-03-01",
                    }
                ],
            ),
            (
                "assignment of A's worker",
                user_b,
                "l10n_mx_icsoe.contract.assignment",
                "create",
                [
                    {
                        "contract_id": self.contract_b.id,
                        "employee_id": w0.id,
                        "date_from": "2026-03-01",
                    }
                ],
            ),
            (
                "B draft moved to A",
                user_b,
                FILING,
                "write",
                [self.draft_b.ids, {"company_id": self.company_a.id}],
            ),
            (
                "A draft moved to B",
                user_a,
                FILING,
                "write",
                [self.draft.ids, {"company_id": self.company_b.id}],
            ),
        ]
        Contract = self.env["l10n_mx_icsoe.contract"].sudo()
        Assignment = self.env["l10n_mx_icsoe.contract.assignment"].sudo()
        contracts = Contract.search_count([])
        assignments = Assignment.search_count([])
        for label, user, model, method, args in attempts:
            for protocol in PROTOCOLS:
                with self._attempt(protocol, user, how=label):
                    outcome = self._call(protocol, user, model, method, args)
                    self.assertRefused(outcome)
                    self.assertNoLeak(outcome)
                    self.env.invalidate_all()
                    self.assertEqual(Contract.search_count([]), contracts)
                    self.assertEqual(Assignment.search_count([]), assignments)
                    self.assertEqual(self.draft_b.company_id, self.company_b)
                    self.assertEqual(self.draft.company_id, self.company_a)

    # ------------------------------------------------------------------ 9. onchange

    def test_13_onchange_does_not_reveal_worker_identity(self):
        w0 = self.workers[0]
        spec = {
            "contract_id": {"fields": {"display_name": {}}},
            "employee_id": {"fields": {"display_name": {}}},
            "nss": {},
            "curp": {},
        }
        secrets = [w0.ssnid, w0.l10n_mx_curp]
        cases = [
            (self.icsoe_user_b, {"contract_id": self.contract_b.id}),
            (self.plain_user, {}),
        ]
        for user, values in cases:
            for protocol in PROTOCOLS:
                for changed in ([], ["employee_id"]):
                    with self._attempt(protocol, user, changed=changed):
                        outcome = self._call(
                            protocol,
                            user,
                            "l10n_mx_icsoe.contract.assignment",
                            "onchange",
                            [[], {**values, "employee_id": w0.id}, changed, spec],
                        )
                        if outcome.error is not None:
                            self.assertRefused(outcome)
                        self.assertNoLeak(outcome, secrets)
                        if user == self.icsoe_user_b:
                            with self.subTest(leak="worker name"):
                                self.assertNoLeak(outcome, [w0.name])
        for user in (self.plain_user, self.portal_user):
            for protocol in PROTOCOLS:
                with self._attempt(protocol, user, model="hr.employee"):
                    for method, args in (
                        ("read", [w0.ids, ["ssnid", "l10n_mx_curp"]]),
                        ("search_read", [[("id", "=", w0.id)], ["ssnid"]]),
                        ("search_read", [[("id", "=", w0.id)], ["l10n_mx_curp"]]),
                    ):
                        outcome = self._call(
                            protocol, user, "hr.employee", method, args
                        )
                        self.assertRefused(outcome, (AccessError,))
                        self.assertNoLeak(outcome, secrets)
                    # nor can they probe for an NSS
                    outcome = self._call(
                        protocol,
                        user,
                        "hr.employee",
                        "search_count",
                        [[("ssnid", "=", w0.ssnid)]],
                    )
                    if outcome.error is not None:
                        self.assertRefused(outcome, (AccessError,))
                    else:
                        self.assertEqual(outcome.result, 0, outcome)

    # ------------------------------------------------------------------ 10. employees

    def test_14_employee_and_portal_see_no_icsoe_data(self):
        models = (
            *FILING_MODELS,
            "l10n_mx_icsoe.contract",
            "l10n_mx_icsoe.contract.assignment",
            "l10n_mx_icsoe.sbc",
            "l10n_mx_icsoe.repse.registration",
            "l10n_mx_icsoe.payroll.cfdi",
        )
        for protocol, user in self._attempts((self.plain_user, self.portal_user)):
            with self._attempt(protocol, user):
                for model in models:
                    outcome = self._call(
                        protocol, user, model, "search_read", [[], ["display_name"]]
                    )
                    if outcome.error is not None:
                        self.assertRefused(outcome, (AccessError,))
                    else:
                        self.assertEqual(outcome.result, [], f"{model}: {outcome!r}")
                    self.assertNoLeak(outcome)
                for model, field in (
                    ("ir.attachment", "res_model"),
                    ("mail.message", "model"),
                ):
                    outcome = self._call(
                        protocol,
                        user,
                        model,
                        "search_read",
                        [[(field, "=", FILING)], ["id"]],
                    )
                    if outcome.error is not None:
                        self.assertRefused(outcome, (AccessError,))
                    else:
                        self.assertEqual(outcome.result, [], f"{model}: {outcome!r}")

    # ------------------------------------------------------------------ 15. jobs

    def test_15_background_jobs_cannot_be_forged_or_driven(self):
        """Nobody creates a finished job, changes a job's state, result or
        resume cursor, or runs its steps over the wire; a job is cancelled by
        who queued it or an ICSOE Manager only."""
        JOB = "l10n_mx_icsoe.job"
        job = (
            self.env[JOB]
            .with_user(self.icsoe_manager)
            ._enqueue("cfdi_import", self.company_a, "rpc:a", name="Import", total=10)
        )

        def job_state():
            self.env.invalidate_all()
            return job.sudo().read(["state", "result", "payload", "progress_done"])[0]

        before = job_state()
        forged = {
            "name": "forged",
            "kind": "cfdi_import",
            "company_id": self.company_a.id,
            "state": "done",
            "result": "100000 CFDI imported",
        }
        users = (self.icsoe_user, self.icsoe_manager)
        for protocol, user in self._attempts(users):
            with self._attempt(protocol, user, method="create"):
                outcome = self._call(protocol, user, JOB, "create", [forged])
                self.assertRefused(outcome)
                self.assertEqual(self.env[JOB].sudo().search_count([]), 1)
            for vals in (
                {"state": "done"},
                {"result": "forged"},
                {"payload": {"position": [9, 9, 0, 0]}},
                {"progress_done": 10},
            ):
                with self._attempt(protocol, user, vals=vals):
                    outcome = self._call(protocol, user, JOB, "write", [job.ids, vals])
                    self.assertRefused(outcome)
                    self.assertEqual(job_state(), before)
            for method in ("_run_step", "_cron_run_jobs", "_fail", "_job_write"):
                with self._attempt(protocol, user, method=method):
                    outcome = self._call(protocol, user, JOB, method, [job.ids])
                    self.assertRefused(outcome)
                    self.assertEqual(job_state(), before)
        # cancelling: not another user's job as an ICSOE User, not another
        # company's job at all; who may, may
        for protocol, user in self._attempts((self.icsoe_user,)):
            with self._attempt(protocol, user, method="action_cancel"):
                outcome = self._call(protocol, user, JOB, "action_cancel", [job.ids])
                self.assertRefused(outcome, (AccessError,))
                self.assertEqual(job_state(), before)
        for protocol, user in self._attempts((self.icsoe_user_b,)):
            with self._attempt(protocol, user, method="read"):
                outcome = self._call(protocol, user, JOB, "read", [job.ids, ["name"]])
                self.assertRefused(outcome, (AccessError,))
                outcome = self._call(protocol, user, JOB, "action_cancel", [job.ids])
                self.assertRefused(outcome, (AccessError,))
                self.assertEqual(job_state(), before)
        for protocol, user in self._attempts((self.icsoe_manager,)):
            with self._attempt(protocol, user, method="action_cancel"):
                outcome = self._call(protocol, user, JOB, "action_cancel", [job.ids])
                self.assertIsNone(outcome.error, outcome)
                self.assertEqual(job_state()["state"], "cancelled")
