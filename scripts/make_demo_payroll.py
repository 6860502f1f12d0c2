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

For the SISUB report, two payslips carry more than the salary (their totals
re-balanced): the first worker's has an INFONAVIT housing-credit repayment
(deduction of SAT type 010, an amortización) and a commission (variable pay),
the second worker's a 3-day incapacity (``Incapacidades``) and vales de despensa
(non-integrable pay).
"""

import argparse
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / ".odoo.conf"
NOMINA_NS = "http://www.sat.gob.mx/nomina12"
CFDI_NS = "http://www.sat.gob.mx/cfd/4"
#: What the SISUB pay of the demo shows, per payslip (in file order).
SISUB_PAY = (
    {
        "perceptions": [("028", "Comisiones", Decimal("650.00"))],
        "deductions": [("010", "Crédito INFONAVIT", Decimal("812.40"))],
    },
    {
        "perceptions": [("029", "Vales de despensa", Decimal("480.00"))],
        "incapacities": [("02", 3)],
    },
)


def _money(value):
    return f"{Decimal(value):.2f}"


def add_pay(xml, perceptions=(), deductions=(), incapacities=()):
    """The payslip with more percepciones, deductions and incapacities, its totals
    (Nómina, Percepciones, Deducciones, Comprobante, Concepto) re-balanced."""
    from lxml import etree

    q = f"{{{NOMINA_NS}}}"
    root = etree.fromstring(xml)
    nomina = next(root.iter(q + "Nomina"))
    extra_income = sum((amount for _c, _n, amount in perceptions), Decimal(0))
    extra_deduction = sum((amount for _c, _n, amount in deductions), Decimal(0))
    group = nomina.find(q + "Percepciones")
    for code, name, amount in perceptions:
        etree.SubElement(
            group,
            q + "Percepcion",
            TipoPercepcion=code,
            Clave=code,
            Concepto=name,
            ImporteGravado=_money(amount),
            ImporteExento="0.00",
        )
    for attribute in ("TotalSueldos", "TotalGravado"):
        group.set(attribute, _money(Decimal(group.get(attribute)) + extra_income))
    group = nomina.find(q + "Deducciones")
    for code, name, amount in deductions:
        etree.SubElement(
            group,
            q + "Deduccion",
            TipoDeduccion=code,
            Clave=code,
            Concepto=name,
            Importe=_money(amount),
        )
    if extra_deduction:
        group.set(
            "TotalOtrasDeducciones",
            _money(Decimal(group.get("TotalOtrasDeducciones")) + extra_deduction),
        )
    if incapacities:
        group = etree.SubElement(nomina, q + "Incapacidades")
        for kind, days in incapacities:
            etree.SubElement(
                group,
                q + "Incapacidad",
                DiasIncapacidad=str(days),
                TipoIncapacidad=kind,
            )
    for attribute, extra in (
        ("TotalPercepciones", extra_income),
        ("TotalDeducciones", extra_deduction),
    ):
        nomina.set(attribute, _money(Decimal(nomina.get(attribute)) + extra))
    concepto = next(root.iter(f"{{{CFDI_NS}}}Concepto"))
    for node, attribute, extra in (
        (root, "SubTotal", extra_income),
        (root, "Descuento", extra_deduction),
        (root, "Total", extra_income - extra_deduction),
        (concepto, "ValorUnitario", extra_income),
        (concepto, "Importe", extra_income),
        (concepto, "Descuento", extra_deduction),
    ):
        node.set(attribute, _money(Decimal(node.get(attribute)) + extra))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


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
        for index, (name, data) in enumerate(demo.files):
            if index < len(SISUB_PAY):
                data = add_pay(data, **SISUB_PAY[index])
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
