"""Queue the load scenario's payroll import as a background job; wait for it.

    python bench/load/queue_import.py --config .odoo.conf --db icsoe_load \
        --out out/load [--timeout 900]

Run by ``scripts/load`` while the simulated users work. As an ICSOE Manager of
the scenario (``scenario.json``), uploads ``payroll.zip`` in the import wizard
of the import's company and queues it (``action_import_background``, as the
web client does for an upload above the background threshold); the server's
scheduled action "ICSOE: run background jobs" runs it in its cron worker.
Polls the job every second until it ends, then writes ``import.json`` (exit
code 0 when the job is done without problems, 1 otherwise, 124 on timeout;
queued and ended times) and prints the job's result (or error). Exit status:
that code.
"""

import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCH))

import benchlib  # noqa: E402
from benchlib import say  # noqa: E402

from odoo import SUPERUSER_ID, Command, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

JOB = "l10n_mx_icsoe.job"


def queue(registry, scenario, out):
    """Upload payroll.zip as the scenario's first ICSOE Manager; the job's id."""
    company = scenario["import"]["company"]
    manager = next(u for u in scenario["users"] if u["role"] == "manager")
    archive = Path(scenario["import"]["zip"])
    with registry.cursor() as cr:
        env = api.Environment(cr, manager["uid"], {"lang": "en_US"})
        env = env(context=dict(env.context, allowed_company_ids=[company]))
        upload = env["ir.attachment"].create(
            {"name": archive.name, "raw": archive.read_bytes()}
        )
        wizard = env["l10n_mx_icsoe.cfdi.import"].create(
            {
                "company_id": company,
                "attachment_ids": [Command.set(upload.ids)],
                "create_employees": True,
            }
        )
        wizard.action_preview()
        if wizard.state != "background":
            raise SystemExit(
                f"queue_import: {archive.name} is below the background threshold"
            )
        action = wizard.action_import_background()
        job_id = action["params"]["next"]["res_id"]
        say(f"queued background job {job_id} as {manager['login']}: {archive.name}")
        return job_id


def wait(registry, job_id, timeout):
    """(state, warning, result or error, ended at) once the job ends, or None."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with registry.cursor() as cr:
            job = api.Environment(cr, SUPERUSER_ID, {})[JOB].browse(job_id)
            if job.state not in ("queued", "running"):
                return (
                    job.state,
                    job.warning,
                    job.result or job.error or "",
                    time.time(),
                )
        time.sleep(1)
    return None


def parse_args(argv=None):
    parser = benchlib.new_parser(__doc__, "icsoe_load")
    parser.add_argument("--out", default="out/load", help="output folder")
    parser.add_argument("--timeout", type=int, default=900, help="seconds to wait")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    scenario = json.loads((out / "scenario.json").read_text(encoding="utf-8"))
    benchlib.init_odoo(args)
    registry = Registry(args.db)
    start = time.time()
    job_id = queue(registry, scenario, out)
    ended = wait(registry, job_id, args.timeout)
    if ended is None:
        rc, end, state = 124, time.time(), "still running"
        say(f"job {job_id}: {state} after {args.timeout} s")
    else:
        state, warning, text, end = ended
        rc = 0 if state == "done" and not warning else 1
        say(f"job {job_id}: {state} in {end - start:.1f} s")
        say(text)
    (out / "import.json").write_text(
        json.dumps(
            {"rc": rc, "start": start, "end": end, "job": job_id, "state": state}
        )
        + "\n",
        encoding="utf-8",
    )
    return rc


if __name__ == "__main__":
    sys.exit(main())
