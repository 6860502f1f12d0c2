"""End to end on the demo data: payroll CFDIs for CSE-006, then its informativa.

The demo contract CSE-006 (``demo_contract_6``) starts without workers, so
its informativa reports "no worker". :func:`demo_payroll` builds the payroll
CFDI 4.0 files that fix it: one bi-weekly payslip per demo worker 01 to 04
for the first pay period after the contract's start, placed 100% at the
contract's client (``nomina12:SubContratacion``), with an SBC a little above
the worker's; plus a payslip issued by another employer and an invoice, which
the import reports and skips.  ``scripts/make_demo_payroll.py`` writes the
same files for a demo database.

The demo dates are relative to the day the database was created and no clock
is frozen here: everything is computed from the demo records.
"""

import unicodedata
import uuid
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from odoo.tests import TransactionCase, tagged

from odoo.addons.l10n_mx_icsoe.icsoe import periods
from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import compact, make_rfc
from odoo.addons.l10n_mx_icsoe.models.payroll_cfdi import PayrollImport
from odoo.addons.l10n_mx_icsoe.models.res_partner import partner_rfc

from .test_lib_cfdi import (
    CFDI_NS,
    NOMINA_NS,
    TFD_NS,
    XSI_NS,
    build_cfdi,
    nomina_spec,
)

DEMO_CONTRACT = "l10n_mx_icsoe.demo_contract_6"
DEMO_WORKERS = tuple(f"l10n_mx_icsoe.demo_worker_{i:02d}" for i in range(1, 5))
#: SBC raise over the worker's SBC in force at the end of the pay period.
SBC_RAISE = Decimal("1.035")
#: Integration factor of the first year (aguinaldo 15 days, prima vacacional
#: 25% of 12 days): SBC = daily salary x 1.0493.
INTEGRATION_FACTOR = Decimal("1.0493")
DAYS_PAID = 15
IMSS_RATE = Decimal("0.02775")  # cuota obrera, roughly
ISR_RATE = Decimal("0.0940")  # withholding, roughly
OTHER_ISSUER_RFC = make_rfc("SAL1704055P")
OTHER_ISSUER_NAME = "SERVICIOS ADMINISTRATIVOS LEON"
REGISTRO_PATRONAL = "E6112345106"
UUID_NAMESPACE = uuid.UUID("8d1f6d2e-3c4b-4f5a-9e7d-1a2b3c4d5e6f")
CENT = Decimal("0.01")


@dataclass
class DemoPayroll:
    """The demo payroll files and what importing them should do."""

    contract: object  # l10n_mx_icsoe.contract
    employees: object  # hr.employee, the 4 workers placed at the contract
    pay_start: date
    pay_end: date
    #: {employee id: Decimal SBC} of the payslips to import.
    sbc: dict = field(default_factory=dict)
    #: [(filename, bytes)]: the 4 payslips first, then the 2 reported files.
    files: list = field(default_factory=list)
    #: filenames the import must report and skip.
    reported: tuple = ()


def _money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _cfdi_name(name):
    """A name as CFDI 4.0 writes it: upper case, no accents, no company regime."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    for suffix in (" SAPI DE CV", " SA DE CV", " SC"):
        text = text.removesuffix(suffix)
    return " ".join(text.split())


def first_pay_period_after(day):
    """The first bi-weekly pay period (1st-15th, 16th-end of month) from ``day`` on.

    Falls back to the pay period holding ``day`` when the next one is in the
    following cuatrimestre, so that the workers count in the informativa of
    the period in which the contract started.
    """
    if day.day == 1:
        start = day
    elif day.day <= 16:
        start = day.replace(day=16)
    else:
        start = day.replace(day=1) + timedelta(days=32)
        start = start.replace(day=1)
    if periods.period_of(start) != periods.period_of(day):
        start = day.replace(day=1 if day.day <= 15 else 16)
    last = 15 if start.day == 1 else monthrange(start.year, start.month)[1]
    return start, start.replace(day=last)


def _patch(xml, changes):
    """Set attributes on the first element of each ``(namespace, tag)``, in order.

    ``changes`` is ``[((namespace, tag, index), {attribute: value})]``.
    """
    root = etree.fromstring(xml)
    for (namespace, tag, index), attrs in changes:
        node = root.iter(f"{{{namespace}}}{tag}")
        for _skip in range(index):
            next(node)
        element = next(node)
        for name, value in attrs.items():
            element.set(name, value)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _amounts(sbc):
    """Gross pay, IMSS and ISR withholdings of a bi-weekly payslip with this SBC."""
    daily = _money(sbc / INTEGRATION_FACTOR)
    gross = _money(daily * DAYS_PAID)
    imss = _money(sbc * DAYS_PAID * IMSS_RATE)
    isr = _money(gross * ISR_RATE)
    return daily, gross, imss, isr


def payslip_xml(
    *,
    issuer_rfc,
    issuer_name,
    issuer_zip,
    worker,
    worker_rfc,
    sbc,
    pay_start,
    pay_end,
    client_rfc,
    uuid_text,
    folio,
    start_date,
):
    """A bi-weekly payroll CFDI 4.0 (Nómina 1.2) with consistent amounts."""
    _daily, gross, imss, isr = _amounts(sbc)
    deductions = imss + isr
    net = gross - deductions
    stamped = datetime.combine(pay_end, time(18, 5, 12))
    weeks = max(1, ((pay_end - start_date).days + 1) // 7)
    spec = nomina_spec(
        attrs={
            "FechaPago": pay_end.isoformat(),
            "FechaInicialPago": pay_start.isoformat(),
            "FechaFinalPago": pay_end.isoformat(),
            "NumDiasPagados": f"{DAYS_PAID}.000",
            "TotalPercepciones": f"{gross}",
            "TotalDeducciones": f"{deductions}",
        },
        emisor={"RegistroPatronal": REGISTRO_PATRONAL},
        receptor={
            "Curp": worker.l10n_mx_curp,
            "NumSeguridadSocial": worker.ssnid,
            "FechaInicioRelLaboral": start_date.isoformat(),
            "Antigüedad": f"P{weeks}W",
            "NumEmpleado": f"{worker.id:05d}",
            "Departamento": "Mantenimiento",
            "Puesto": worker.job_title or "Técnico de mantenimiento",
            "SalarioBaseCotApor": f"{sbc}",
            "SalarioDiarioIntegrado": f"{sbc}",
            "ClaveEntFed": "GUA",
        },
        subcontracts=[(client_rfc, "100.00")],
    )
    xml = build_cfdi(
        "4.0",
        nominas=[spec],
        comprobante={
            "Folio": str(folio),
            "Fecha": stamped.isoformat(),
            "SubTotal": f"{gross}",
            "Descuento": f"{deductions}",
            "Total": f"{net}",
            "LugarExpedicion": issuer_zip,
        },
        emisor={"Rfc": issuer_rfc, "Nombre": issuer_name},
        receptor={
            "Rfc": worker_rfc,
            "Nombre": _cfdi_name(worker.name),
            "DomicilioFiscalReceptor": issuer_zip,
        },
        uuid=uuid_text,
    )
    cfdi_ns = CFDI_NS["4.0"]
    return _patch(
        xml,
        [
            (
                (cfdi_ns, "Concepto", 0),
                {
                    "ValorUnitario": f"{gross}",
                    "Importe": f"{gross}",
                    "Descuento": f"{deductions}",
                },
            ),
            (
                (NOMINA_NS, "Percepciones", 0),
                {"TotalSueldos": f"{gross}", "TotalGravado": f"{gross}"},
            ),
            ((NOMINA_NS, "Percepcion", 0), {"ImporteGravado": f"{gross}"}),
            (
                (NOMINA_NS, "Deducciones", 0),
                {
                    "TotalOtrasDeducciones": f"{imss}",
                    "TotalImpuestosRetenidos": f"{isr}",
                },
            ),
            ((NOMINA_NS, "Deduccion", 0), {"Importe": f"{imss}"}),
            ((NOMINA_NS, "Deduccion", 1), {"Importe": f"{isr}"}),
            (
                (TFD_NS, "TimbreFiscalDigital", 0),
                {"FechaTimbrado": (stamped + timedelta(minutes=1)).isoformat()},
            ),
        ],
    )


def invoice_xml(
    *, issuer_rfc, issuer_name, issuer_zip, client, contract, day, uuid_text
):
    """An income CFDI 4.0 (TipoDeComprobante I) for the contract's service: not payroll."""
    subtotal = Decimal("48500.00")
    stamped = datetime.combine(day, time(11, 20, 3))
    xml = build_cfdi(
        "4.0",
        nominas=[],
        comprobante={
            "Serie": "F",
            "Folio": "3187",
            "Fecha": stamped.isoformat(),
            "TipoDeComprobante": "I",
            "SubTotal": f"{subtotal}",
            "Descuento": None,
            "Total": f"{subtotal}",
            "MetodoPago": "PPD",
            "FormaPago": "99",
            "LugarExpedicion": issuer_zip,
        },
        emisor={"Rfc": issuer_rfc, "Nombre": issuer_name},
        receptor={
            "Rfc": partner_rfc(client.vat),
            "Nombre": _cfdi_name(client.name),
            "DomicilioFiscalReceptor": client.zip or issuer_zip,
            "RegimenFiscalReceptor": "601",
            "UsoCFDI": "G03",
        },
        uuid=uuid_text,
    )
    root = etree.fromstring(xml)
    # no Nómina complement: drop its namespace declaration and schema location
    root.set(
        f"{{{XSI_NS}}}schemaLocation",
        " ".join(root.get(f"{{{XSI_NS}}}schemaLocation").split()[:2]),
    )
    etree.cleanup_namespaces(root)
    concepto = root.find(f".//{{{CFDI_NS['4.0']}}}Concepto")
    concepto.attrib.pop("Descuento", None)
    for name, value in {
        "ClaveProdServ": "72154066",
        "ClaveUnidad": "E48",
        "Descripcion": (contract.object or contract.name)[:1000],
        "ValorUnitario": f"{subtotal}",
        "Importe": f"{subtotal}",
        "ObjetoImp": "01",
    }.items():
        concepto.set(name, value)
    tfd = root.find(f".//{{{TFD_NS}}}TimbreFiscalDigital")
    tfd.set("FechaTimbrado", (stamped + timedelta(minutes=1)).isoformat())
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _uuid(*parts):
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(str(p) for p in parts))).upper()


def demo_payroll(env):
    """Build the demo payroll files for CSE-006, or return None without demo data."""
    contract = env.ref(DEMO_CONTRACT, raise_if_not_found=False)
    if not contract:
        return None
    employees = env["hr.employee"]
    for xmlid in DEMO_WORKERS:
        employees |= env.ref(xmlid)
    company = contract.company_id
    company_rfc = partner_rfc(company.vat)
    company_name = _cfdi_name(company.name)
    company_zip = company.zip or "37000"
    client_rfc = partner_rfc(contract.partner_id.commercial_partner_id.vat)
    pay_start, pay_end = first_pay_period_after(contract.date_start)
    last = env["l10n_mx_icsoe.sbc"]._last_sbc(employees, pay_end)
    first = {
        emp.id: min(emp.l10n_mx_icsoe_sbc_ids.mapped("date_from"), default=None)
        for emp in employees
    }
    demo = DemoPayroll(contract, employees, pay_start, pay_end)
    period_tag = f"{pay_end:%Y%m%d}"
    for folio, worker in enumerate(employees, start=1):
        current = Decimal(str(last[worker.id][1])) if worker.id in last else None
        sbc = _money((current or Decimal("400.00")) * SBC_RAISE)
        worker_rfc = compact(worker.l10n_mx_rfc) or make_rfc(
            worker.l10n_mx_curp[:10] + "A1"
        )
        demo.sbc[worker.id] = sbc
        name = f"nomina_{period_tag}_{worker.ssnid}.xml"
        demo.files.append(
            (
                name,
                payslip_xml(
                    issuer_rfc=company_rfc,
                    issuer_name=company_name,
                    issuer_zip=company_zip,
                    worker=worker,
                    worker_rfc=worker_rfc,
                    sbc=sbc,
                    pay_start=pay_start,
                    pay_end=pay_end,
                    client_rfc=client_rfc,
                    uuid_text=_uuid(company_rfc, worker.ssnid, pay_end),
                    folio=folio,
                    start_date=first[worker.id] or contract.date_start,
                ),
            )
        )
    # The first worker also has a second job elsewhere: that employer's payslip
    # is not the company's and must be reported, not imported.
    moonlighter = employees[0]
    other_name = f"nomina_{period_tag}_{moonlighter.ssnid}_otro_patron.xml"
    demo.files.append(
        (
            other_name,
            payslip_xml(
                issuer_rfc=OTHER_ISSUER_RFC,
                issuer_name=OTHER_ISSUER_NAME,
                issuer_zip="37160",
                worker=moonlighter,
                worker_rfc=compact(moonlighter.l10n_mx_rfc)
                or make_rfc(moonlighter.l10n_mx_curp[:10] + "A1"),
                sbc=_money(Decimal("315.50")),
                pay_start=pay_start,
                pay_end=pay_end,
                client_rfc=client_rfc,
                uuid_text=_uuid(OTHER_ISSUER_RFC, moonlighter.ssnid, pay_end),
                folio=88,
                start_date=pay_start - timedelta(days=400),
            ),
        )
    )
    invoice_name = f"factura_{period_tag}_{client_rfc}.xml"
    demo.files.append(
        (
            invoice_name,
            invoice_xml(
                issuer_rfc=company_rfc,
                issuer_name=company_name,
                issuer_zip=company_zip,
                client=contract.partner_id.commercial_partner_id,
                contract=contract,
                day=pay_end,
                uuid_text=_uuid(company_rfc, "invoice", contract.name, pay_end),
            ),
        )
    )
    demo.reported = (other_name, invoice_name)
    return demo


@tagged("post_install", "-at_install")
class TestDemoPayroll(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.contract = cls.env.ref(DEMO_CONTRACT, raise_if_not_found=False)

    def setUp(self):
        super().setUp()
        if not self.contract:
            self.skipTest("the l10n_mx_icsoe demo data is not loaded")

    def _draft_normal(self, company, year, period):
        """The draft Normal of the period, created when there is no original yet."""
        Filing = self.env["l10n_mx_icsoe.filing"]
        originals = Filing.search(
            [
                ("company_id", "=", company.id),
                ("year", "=", year),
                ("period", "=", str(period)),
                ("filing_type", "in", ("normal", "no_info")),
                ("state", "!=", "voided"),
            ]
        )
        draft = originals.filtered(
            lambda f: f.state == "draft" and f.filing_type == "normal"
        )
        if draft:
            return draft[:1]
        if originals:
            self.skipTest(
                f"{originals[0].display_name} ({originals[0].state}) already stands for "
                f"{year}-{period}: only a Corrección could change it"
            )
        return Filing.create(
            {"company_id": company.id, "year": year, "period": str(period)}
        )

    def test_import_then_generate(self):
        contract = self.contract
        self.assertFalse(
            contract.assignment_ids, "the demo contract CSE-006 has no workers"
        )
        year, period = periods.period_of(contract.date_start)
        filing = self._draft_normal(contract.company_id, year, period)
        filing.action_generate()
        line = filing.contract_line_ids.filtered(lambda c: c.contract_id == contract)
        self.assertIn("no worker", line.error_text or "")

        demo = demo_payroll(self.env)
        self.assertEqual(len(demo.files), 6)
        service = PayrollImport(self.env, contract.company_id, create_employees=False)
        plan = service.plan(demo.files)
        by_file = {line.filename: line for line in plan}
        for name in demo.reported:
            self.assertEqual(by_file[name].status, "skip", name)
        self.assertIn("Issued by", " ".join(by_file[demo.reported[0]].problems))
        self.assertIn(
            "Not a payroll CFDI", " ".join(by_file[demo.reported[1]].problems)
        )
        for name, _data in demo.files[:4]:
            line = by_file[name]
            self.assertEqual((line.status, line.match), ("ok", "nss"), line.problems)
            self.assertEqual(
                line.contracts, [(contract.id, demo.pay_start, demo.pay_end)]
            )
        counts = service.apply(plan)
        self.assertEqual(
            counts,
            {
                "employees": 0,
                "sbc": 4,
                "assignments_created": 4,
                "assignments_extended": 0,
                "files": 4,
                "skipped": 2,
            },
        )
        self.assertEqual(contract.assignment_ids.employee_id, demo.employees)
        self.assertEqual(
            {(a.date_from, a.date_to) for a in contract.assignment_ids},
            {(demo.pay_start, demo.pay_end)},
        )
        stored = self.env["l10n_mx_icsoe.payroll.cfdi"].search(
            [("company_id", "=", contract.company_id.id)]
        )
        self.assertEqual(
            sorted(stored.mapped("filename")), sorted(n for n, _d in demo.files[:4])
        )

        filing.action_generate()
        line = filing.contract_line_ids.filtered(lambda c: c.contract_id == contract)
        self.assertEqual(len(line), 1, "CSE-006 started in the period")
        self.assertEqual(line.worker_count, 4)
        self.assertEqual(line.worker_ids.employee_id, demo.employees)
        self.assertEqual(
            {w.employee_id.id: w.sbc for w in line.worker_ids},
            {emp_id: float(sbc) for emp_id, sbc in demo.sbc.items()},
        )
        self.assertEqual(set(line.worker_ids.mapped("sbc_date")), {demo.pay_end})
        self.assertNotIn("no worker", line.error_text or "")
        self.assertTrue(line.is_ok, line.error_text)

    def test_reimport_is_a_no_op(self):
        demo = demo_payroll(self.env)
        company = self.contract.company_id
        PayrollImport(self.env, company).apply(
            PayrollImport(self.env, company).plan(demo.files)
        )
        again = PayrollImport(self.env, company)
        plan = again.plan(demo.files)
        self.assertEqual({line.status for line in plan}, {"skip"})
        counts = again.apply(plan)
        self.assertEqual(counts["files"] + counts["sbc"], 0)
        self.assertEqual(counts["skipped"], 6)
