"""Write payroll CFDI 4.0 (Nómina 1.2) files for a database with the demo data.

    /root/.cache/l10n_mx_icsoe/venv/bin/python scripts/make_demo_payroll.py DB OUTDIR

Reads the project's configuration (``.odoo.conf`` next to ``scripts/``) and
opens DB in-process, read-only. The demo contract CSE-006 starts without
workers; the files place demo workers 01 to 04 at its client for the first
bi-weekly pay period after its start, with an SBC a little above theirs, so
that its informativa gets its workers. Two more files show what the import
reports instead of importing: a payslip issued by another employer and an
invoice. Import them with:

    scripts/odoo icsoe import-cfdi -d DB OUTDIR

The files are built by ``demo_payroll()`` in
``l10n_mx_icsoe/tests/test_demo_payroll.py``, whose test imports the same
files and checks the informativa. UUIDs are derived from the data, so writing
the files again gives the same CFDIs (a second import skips them).
"""

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / ".odoo.conf"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="a database with l10n_mx_icsoe demo data")
    parser.add_argument("outdir", type=Path, help="folder to write the XML files to")
    args = parser.parse_args(argv)

    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    # The builder lives in the addon's tests (its test imports the same files),
    # and importing the test framework outside a test run logs an error: silenced.
    config.parse_config(
        [
            "-c",
            str(CONF),
            "-d",
            args.database,
            "--log-level=warn",
            "--log-handler=odoo.tests.common:CRITICAL",
        ]
    )
    odoo.netsvc.init_logger()
    if not odoo.service.db.exp_db_exist(args.database):
        sys.stderr.write(f"{args.database}: no such database.\n")
        return 2
    from odoo.addons.l10n_mx_icsoe.tests.test_demo_payroll import demo_payroll

    with Registry(args.database).cursor() as cr:
        cr.execute("SET TRANSACTION READ ONLY")
        env = api.Environment(cr, SUPERUSER_ID, {})
        demo = demo_payroll(env)
        if demo is None:
            sys.stderr.write(
                f"{args.database}: no demo contract CSE-006 "
                "(l10n_mx_icsoe.demo_contract_6): the demo data is not loaded.\n"
            )
            return 2
        args.outdir.mkdir(parents=True, exist_ok=True)
        for name, data in demo.files:
            (args.outdir / name).write_bytes(data)
        print(
            f"{len(demo.files)} files in {args.outdir}: pay period "
            f"{demo.pay_start} to {demo.pay_end}, contract {demo.contract.name} "
            f"({demo.contract.partner_id.name}, starts {demo.contract.date_start})"
        )
        for employee in demo.employees:
            print(f"  payslip: {employee.name}, SBC {demo.sbc[employee.id]}")
        for name in demo.reported:
            print(f"  reported, not imported: {name}")
        print(
            f"import with: scripts/odoo icsoe import-cfdi -d {args.database} {args.outdir}"
        )
        cr.rollback()
    return 0


if __name__ == "__main__":
    sys.exit(main())
