"""The INFONAVIT SISUB report (issue 11): data, generation, checks, files, workflow."""

import base64
import io
import tempfile
import zipfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from freezegun import freeze_time
from lxml import etree
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from odoo.addons.l10n_mx_icsoe.cli import icsoe as icsoe_cli
from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_rfc
from odoo.addons.l10n_mx_icsoe.models.guard import internal
from odoo.addons.l10n_mx_icsoe.models.payroll_cfdi import PayrollImport

from .common import IcsoeCase
from .test_lib_cfdi import NOMINA_NS, build_cfdi, nomina_spec

#: Queries of one generation (action_generate, flush included; the COPY of the
#: detail is not counted by Odoo), whatever the size; 2 of them ask whether a
#: background job works on the report and how large the work is.
GENERATION_QUERIES = 27
HOSTILE = 'Ñandú, S.A. de C.V. — "Planta #2"'
NRP_MAIN = "Y6012345104"
NRP_QRO = "E6112345106"
NRP_CLIENT = "B1234567890"
CAP_2025 = 25 * 113.14  # UMA of January 2026 (from 1 Feb 2025)
CAP_2026 = 25 * 117.31  # from 1 Feb 2026
SUBJECT = "1_SISUB_Ley_29_bis_Sujeto obligado.csv"
CONTRACTS = "2_SISUB_Ley_29_bis_Contratos.csv"
DETAIL = "3_SISUB_Ley_29_bis_DetalleTrab.csv"
DEED = "1a_SISUB_Ley_29_bis_Escritura Constitutiva.pdf"
CONTRACTS_PDF = "2B_SISUB_Ley_29_bis_Contratos.pdf"
STPS = "4_SISUB_Ley_29_bis_Registro emitido por STPS.pdf"


def pdf(pages=1):
    writer = PdfFileWriter()
    for _page in range(pages):
        writer.addBlankPage(200, 200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def money(value):
    """Round half up to the cent, as the aportación is."""
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def payslip(
    company,
    worker,
    *,
    uuid,
    start,
    end,
    paid,
    sbc,
    perceptions=(("001", "4500.00"),),
    deductions=(),
    incapacities=(),
):
    """A payroll CFDI 4.0 of ``company`` for ``worker`` with the given pay."""
    spec = nomina_spec(
        attrs={
            "FechaPago": paid.isoformat(),
            "FechaInicialPago": start.isoformat(),
            "FechaFinalPago": end.isoformat(),
        },
        receptor={
            "Curp": worker.l10n_mx_curp,
            "NumSeguridadSocial": worker.ssnid,
            "SalarioBaseCotApor": sbc,
        },
        subcontracts=[],
    )
    xml = build_cfdi(
        "4.0",
        nominas=[spec],
        emisor={"Rfc": company.vat},
        receptor={"Rfc": make_rfc("RECE900101AB")},
        uuid=uuid,
    )
    root = etree.fromstring(xml)
    q = f"{{{NOMINA_NS}}}"
    nomina = next(root.iter(q + "Nomina"))
    for tag in ("Percepciones", "Deducciones", "OtrosPagos"):
        for node in nomina.findall(q + tag):
            nomina.remove(node)
    group = etree.SubElement(nomina, q + "Percepciones")
    for code, amount in perceptions:
        etree.SubElement(
            group,
            q + "Percepcion",
            TipoPercepcion=code,
            Clave=code,
            Concepto="Percepcion",
            ImporteGravado=amount,
            ImporteExento="0.00",
        )
    if deductions:
        group = etree.SubElement(nomina, q + "Deducciones")
        for code, amount in deductions:
            etree.SubElement(
                group,
                q + "Deduccion",
                TipoDeduccion=code,
                Clave=code,
                Concepto="Deduccion",
                Importe=amount,
            )
    if incapacities:
        group = etree.SubElement(nomina, q + "Incapacidades")
        for kind, days in incapacities:
            etree.SubElement(
                group, q + "Incapacidad", DiasIncapacidad=days, TipoIncapacidad=kind
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class SisubCase(IcsoeCase):
    """Company A with contracts in force in 2026-1: one that started before the
    period and runs on (C-OLD), one that started in it (C-NEW), and others that
    are not in force (ended, later, cancelled) or still a draft.

    The clock stands on 5 May 2026, in the filing window of 2026-1.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(freeze_time("2026-05-05 12:00:00"))
        w0, w1, w2 = cls.workers
        company = cls.company_a
        Nrp = cls.env["l10n_mx_icsoe.nrp"]
        cls.nrp_main = Nrp.create(
            {"name": NRP_MAIN, "company_id": company.id, "is_principal": True}
        )
        cls.nrp_qro = Nrp.create(
            {"name": "E61-12345-10 6", "company_id": company.id, "description": "Qro"}
        )
        company.l10n_mx_icsoe_deed = base64.b64encode(pdf())
        cls.registration.document = base64.b64encode(pdf())
        cls.client.l10n_mx_icsoe_nrp = NRP_CLIENT
        cls.client_hostile = cls.env["res.partner"].create(
            {
                "name": HOSTILE,
                "is_company": True,
                "country_id": cls.env.ref("base.mx").id,
                "vat": make_rfc("NAN100101XY"),
                "email": "compras@nandu.example.mx",
                "mobile": "4421112233",
            }
        )
        w0.l10n_mx_icsoe_nrp_id = cls.nrp_qro
        Sbc = cls.env["l10n_mx_icsoe.sbc"]
        Sbc.create(
            [
                {"employee_id": w0.id, "date_from": date(2025, 12, 1), "amount": 500},
                {"employee_id": w0.id, "date_from": date(2026, 1, 15), "amount": 4000},
                {"employee_id": w1.id, "date_from": date(2026, 1, 1), "amount": 300},
                {"employee_id": w2.id, "date_from": date(2026, 1, 1), "amount": 278.8},
            ]
        )
        state = cls.env.ref("base.state_mx_qro")
        site = {
            "street": "Av. 5 de Febrero",
            "street_number": "1200",
            "colony": "Centro",
            "zip": "76000",
            "city": "Querétaro",
            "state_id": state.id,
        }
        Contract = cls.env["l10n_mx_icsoe.contract"]
        cls.c_old = Contract.create(
            cls._contract_vals(
                name="C-OLD",
                date_start=date(2025, 10, 1),
                sisub_number="1001",
                amount_untaxed=100000,
                estimated_worker_count=2,
                work_site_ids=[Command.create({"name": "Planta", **site})],
                document_ids=[
                    Command.create({"name": "contrato.pdf", "raw": pdf(2)}),
                ],
                assignment_ids=[
                    Command.create(
                        {"employee_id": w0.id, "date_from": date(2025, 10, 1)}
                    )
                ],
            )
        )
        cls.env["l10n_mx_icsoe.contract.amendment"].create(
            [
                {
                    "contract_id": cls.c_old.id,
                    "date": date(2026, 3, 1),
                    "amount_untaxed": 120000,
                    "document": base64.b64encode(pdf()),
                    "document_filename": "convenio.pdf",
                },
                {
                    "contract_id": cls.c_old.id,
                    "date": date(2026, 6, 1),
                    "amount_untaxed": 150000,
                },
            ]
        )
        cls.c_new = Contract.create(
            cls._contract_vals(
                name="C-NEW",
                partner_id=cls.client_hostile.id,
                object='Limpieza, mantenimiento/jardinería — "Área #3"',
                date_start=date(2026, 3, 1),
                sisub_number="1002",
                amount_untaxed=50000,
                estimated_worker_count=2,
                work_site_ids=[
                    Command.create({"name": "Nave 1", "sequence": 1, **site}),
                    Command.create(
                        {
                            "name": "Nave 2",
                            "sequence": 2,
                            **dict(site, street="Calle Ñandú", street_number="7"),
                            "street_number2": "B-2",
                        }
                    ),
                ],
            )
        )
        cls.site_b = cls.c_new.work_site_ids.filtered(lambda s: s.name == "Nave 2")
        Assignment = cls.env["l10n_mx_icsoe.contract.assignment"]
        Assignment.create(
            [
                {
                    "contract_id": cls.c_new.id,
                    "employee_id": w1.id,
                    "date_from": date(2026, 3, 1),
                },
                {
                    "contract_id": cls.c_new.id,
                    "employee_id": w2.id,
                    "date_from": date(2026, 3, 10),
                    "date_to": date(2026, 4, 20),
                    "work_site_id": cls.site_b.id,
                },
            ]
        )
        cls.c_ended = Contract.create(
            cls._contract_vals(
                name="C-ENDED",
                date_start=date(2025, 6, 1),
                date_end=date(2025, 12, 31),
                sisub_number="1003",
                amount_untaxed=1000,
            )
        )
        cls.c_ended.action_end()
        cls.c_later = Contract.create(
            cls._contract_vals(name="C-LATER", date_start=date(2026, 5, 4))
        )
        cls.c_draft = Contract.create(
            cls._contract_vals(
                name="C-DRAFT", date_start=date(2026, 2, 1), state="draft"
            )
        )
        cls.Sisub = cls.env["l10n_mx_icsoe.sisub"]

    @contextmanager
    def refused(self, exception, pattern):
        """assertRaisesRegex in a savepoint: what the call wrote is rolled back."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def _report(self, year=2026, period="1", user=None, **vals):
        Sisub = self.Sisub.with_user(user or self.icsoe_user)
        report = Sisub.create(
            {"company_id": self.company_a.id, "year": year, "period": period, **vals}
        )
        report.action_generate()
        return report

    def _line(self, report, contract, worker, bimester):
        return report.worker_line_ids.filtered(
            lambda w: (
                w.contract_id == contract
                and w.employee_id == worker
                and w.bimester == bimester
            )
        )

    def _confirmed(self, **vals):
        report = self._report(**vals)
        self.assertFalse(report.error_count, report._checks_report())
        report.with_user(self.icsoe_manager).action_confirm()
        return report

    def _filed(self, report=None, folio="SISUB-2026-000123"):
        report = report or self._confirmed()
        wizard = Form(
            self.env["l10n_mx_icsoe.sisub.register"]
            .with_user(self.icsoe_manager)
            .with_context(active_id=report.id, active_model=report._name)
        )
        wizard.infonavit_folio = folio
        wizard.filed_date = date(2026, 5, 5)
        wizard.filed_time = 10.25
        wizard.acuse = base64.b64encode(pdf())
        wizard.save().action_register()
        return report

    def _answer(self, report, result, error_file=None):
        vals = {
            "sisub_id": report.id,
            "mode": "answer",
            "result": result,
            "result_date": date(2026, 5, 5),
        }
        if error_file is not None:
            vals.update(
                error_file=base64.b64encode(error_file), error_filename="log.csv"
            )
        self.env["l10n_mx_icsoe.sisub.result"].with_user(self.icsoe_manager).create(
            vals
        ).action_record()
        return report

    def _exports(self, report):
        return {a.name: a.raw for a in report.export_attachment_ids}


@tagged("post_install", "-at_install")
class TestSisubMasterData(SisubCase):
    def test_nrp_format_and_one_principal(self):
        # normalised on the way in, then checked
        self.assertEqual(self.nrp_qro.name, NRP_QRO)
        Nrp = self.env["l10n_mx_icsoe.nrp"]
        for bad in ("Y601234510", "Y60123451045", "YY012345104", "Y60123451O4"):
            with self.refused(ValidationError, "Registro Patronal"):
                Nrp.create({"name": bad, "company_id": self.company_a.id})
        # marking another principal unmarks the first one
        self.nrp_qro.is_principal = True
        self.assertFalse(self.nrp_main.is_principal)
        self.assertEqual(Nrp._principal_of(self.company_a), self.nrp_qro)

    def test_client_nrp_checked(self):
        with self.refused(ValidationError, "Cliente Industrial.*11 characters"):
            self.client.l10n_mx_icsoe_nrp = "B12345"
        self.client.l10n_mx_icsoe_nrp = "b-1234567890"
        self.assertEqual(self.client.l10n_mx_icsoe_nrp, NRP_CLIENT)

    def test_contract_number_rules(self):
        with self.refused(ValidationError, "already used by contract C-OLD"):
            self.c_new.sisub_number = "1001"
        with self.refused(ValidationError, "C-OLD.*digits only"):
            self.c_old.sisub_number = "A-1001"
        with self.refused(ValidationError, "digits only"):
            self.c_old.sisub_number = "1" * 31
        self.assertEqual(self.c_old.sisub_number, "1001")

    def test_worker_nrp_of_own_company(self):
        other = self.env["l10n_mx_icsoe.nrp"].create(
            {"name": "A1234567890", "company_id": self.company_b.id}
        )
        with self.refused(ValidationError, "Trabajador 2.*not to the worker"):
            self.workers[1].l10n_mx_icsoe_nrp_id = other

    def test_assignment_site_of_its_contract(self):
        assignment = self.c_old.assignment_ids
        with self.refused(ValidationError, "C-OLD.*Work Site.*C-NEW"):
            assignment.work_site_id = self.site_b


@tagged("post_install", "-at_install", "is_query_count")
class TestSisubGeneration(SisubCase):
    def test_contracts_in_force_not_only_started(self):
        report = self._report()
        self.assertEqual(report.contract_line_ids.contract_id, self.c_old | self.c_new)
        old = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_old)
        new = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_new)
        self.assertFalse(old.started_in_period)
        self.assertTrue(new.started_in_period)
        self.assertEqual((report.contract_count, report.started_contract_count), (2, 1))
        self.assertEqual(report.proposed_type, "normal")
        # the ICSOE of the same period only has the contract that started in it
        filing = self.env["l10n_mx_icsoe.filing"].create(
            {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        )
        filing.action_generate()
        self.assertEqual(filing.contract_line_ids.contract_id, self.c_new)
        # the draft contract of the period is named, not reported
        self.assertIn("C-DRAFT", report.warning_message)

    def test_two_bimester_rows_per_worker(self):
        report = self._report()
        self.assertEqual(report.row_count, 6)
        self.assertEqual(report.worker_count, 3)
        for contract, worker in (
            (self.c_old, self.workers[0]),
            (self.c_new, self.workers[1]),
            (self.c_new, self.workers[2]),
        ):
            rows = report.worker_line_ids.filtered(
                lambda w, c=contract, e=worker: (
                    w.contract_id == c and w.employee_id == e
                )
            )
            self.assertEqual(sorted(rows.mapped("bimester")), [1, 2])
        b1 = self._line(report, self.c_old, self.workers[0], 1)
        self.assertEqual(
            (b1.bimester_start, b1.bimester_end), (date(2026, 1, 1), date(2026, 2, 28))
        )
        self.assertEqual(b1.days, 59)
        # placed from 1 March only: the first bimester row counts no day
        self.assertEqual(self._line(report, self.c_new, self.workers[1], 1).days, 0)
        self.assertEqual(self._line(report, self.c_new, self.workers[1], 2).days, 61)
        self.assertEqual(self._line(report, self.c_new, self.workers[2], 2).days, 42)

    def test_aportacion_and_cap(self):
        report = self._report()
        b1 = self._line(report, self.c_old, self.workers[0], 1)
        # 1-14 Jan: 500; 15-31 Jan: 4,000 capped at 25 UMA 2025; Feb: at 25 UMA 2026
        base = 500 * 14 + CAP_2025 * 17 + CAP_2026 * 28
        self.assertAlmostEqual(b1.aportacion_computed, money(base * 0.05))
        self.assertEqual(b1.aportacion, 6860.08)
        b2 = self._line(report, self.c_old, self.workers[0], 2)
        self.assertEqual(b2.aportacion, money(CAP_2026 * 61 * 0.05))
        self.assertEqual((b2.sbc, b2.sbc_capped), (4000.0, 2932.75))
        self.assertIn("above 25 UMA", b2.warning_text)
        self.assertEqual(
            self._line(report, self.c_new, self.workers[1], 1).aportacion, 0
        )
        self.assertEqual(
            self._line(report, self.c_new, self.workers[1], 2).aportacion, 915.0
        )
        self.assertEqual(
            self._line(report, self.c_new, self.workers[2], 2).aportacion,
            money(278.8 * 42 * 0.05),
        )
        self.assertAlmostEqual(
            report.aportacion_total, sum(report.worker_line_ids.mapped("aportacion"))
        )

    def test_sua_figure_overrides_and_survives_regeneration(self):
        report = self._report()
        line = self._line(report, self.c_old, self.workers[0], 1)
        line.with_user(self.icsoe_user).write({"aportacion_sua": 6500.5})
        self.assertTrue(line.aportacion_manual)
        self.assertEqual(line.aportacion, 6500.5)
        self.assertEqual(line.aportacion_computed, 6860.08)
        report.action_generate()
        line = self._line(report, self.c_old, self.workers[0], 1)
        self.assertEqual((line.aportacion_manual, line.aportacion), (True, 6500.5))
        line.with_user(self.icsoe_user).action_use_computed()
        self.assertEqual(line.aportacion, 6860.08)
        # nothing else of a line is the user's to change
        with self.refused(UserError, "copied from the source records"):
            line.with_user(self.icsoe_user).write({"days": 3})
        with self.refused(UserError, "cannot be negative"):
            line.with_user(self.icsoe_user).write({"aportacion_sua": -1})

    def test_lines_copy_and_point_back(self):
        report = self._report()
        old = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_old)
        # amount at the end of the period: the March amendment, not June's
        self.assertEqual((old.amount, old.amount_date), (120000.0, date(2026, 3, 1)))
        self.assertEqual(old.client_nrp, NRP_CLIENT)
        self.assertFalse(old.client_nrp_missing)
        self.assertEqual(old.nrp_codes, NRP_QRO)  # its worker's registro patronal
        new = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_new)
        self.assertEqual(new.nrp_codes, NRP_MAIN)  # no worker NRP: the principal
        # the client without NRP: the company's principal one, with a warning
        self.assertEqual((new.client_nrp, new.client_nrp_missing), (NRP_MAIN, True))
        self.assertIn("has no Registro Patronal", new.warning_text)
        w2 = self._line(report, self.c_new, self.workers[2], 2)
        self.assertEqual(w2.work_site_id, self.site_b)  # the assignment's own site
        self.assertEqual((w2.street, w2.street_number2), ("Calle Ñandú", "B-2"))
        self.assertEqual(w2.contract_id, self.c_new)
        w1 = self._line(report, self.c_new, self.workers[1], 2)
        self.assertEqual(w1.work_site_id.name, "Nave 1")  # the contract's first
        self.assertEqual(w1.nrp, NRP_MAIN)
        w0 = self._line(report, self.c_old, self.workers[0], 1)
        self.assertEqual(w0.nrp, NRP_QRO)  # the worker's own registro patronal
        self.assertEqual(w1.nss, self.workers[1].ssnid)
        self.assertEqual(w1.contract_number, "1002")
        # sources cannot go while a line points at them
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.c_old.with_user(self.icsoe_manager).unlink()

    def test_client_without_nrp_placeholder_setting(self):
        self.company_a.write(
            {
                "l10n_mx_icsoe_sisub_client_nrp_rule": "placeholder",
                "l10n_mx_icsoe_sisub_client_nrp_placeholder": "99999999999",
            }
        )
        report = self._report()
        new = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_new)
        self.assertEqual(new.client_nrp, "99999999999")

    def test_query_count_constant(self):
        """Generation reads and writes in sets: the same queries for 2 contracts
        and 3 workers as for 10 contracts and 27 workers."""
        report = self._report()
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(GENERATION_QUERIES):
            report.action_generate()
        Contract = self.env["l10n_mx_icsoe.contract"]
        contracts = Contract.create(
            [
                self._contract_vals(
                    name=f"BULK-{i}",
                    date_start=date(2025, 11, 1),
                    sisub_number=str(5000 + i),
                    amount_untaxed=1000 + i,
                    work_site_ids=[Command.create({"street": f"Calle {i}"})],
                    assignment_ids=[
                        Command.create(
                            {"employee_id": w.id, "date_from": date(2025, 11, 1)}
                        )
                        for w in self.workers
                    ],
                )
                for i in range(8)
            ]
        )
        self.assertEqual(len(contracts), 8)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(GENERATION_QUERIES):
            report.action_generate()
        self.assertEqual(report.contract_count, 10)
        self.assertEqual(report.row_count, 6 + 8 * 3 * 2)

    def test_checks_errors_first_and_confirm_blocked(self):
        self.c_new.amount_untaxed = 0
        self.site_b.write({"zip": False})
        self.workers[1].ssnid = False
        report = self._report()
        new = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_new)
        self.assertFalse(new.is_ok)
        self.assertIn("Amount without VAT is missing", new.error_text)
        w2 = self._line(report, self.c_new, self.workers[2], 2)
        self.assertIn("work site address is incomplete", w2.error_text)
        self.assertIn(
            "no NSS", self._line(report, self.c_new, self.workers[1], 2).error_text
        )
        # errors first
        self.assertFalse(report.contract_line_ids[0].is_ok)
        self.assertFalse(report.worker_line_ids[0].is_ok)
        self.assertGreaterEqual(report.error_count, 4)
        with self.refused(UserError, r"SISUB 2026-1 .* has \d+ error"):
            report.with_user(self.icsoe_manager).action_confirm()
        self.assertEqual(report.state, "draft")
        self.assertFalse(report.export_attachment_ids)

    def test_company_checks(self):
        self.nrp_main.is_principal = False
        self.company_a.l10n_mx_icsoe_deed = False
        report = self._report()
        self.assertIn("no principal Registro Patronal", report.check_message)
        self.assertIn("Articles of Incorporation", report.warning_message)

    def test_missing_detail_is_an_error(self):
        report = self._report()
        # a worker placed after generation: the check on the stored lines sees it
        self.env["l10n_mx_icsoe.contract.assignment"].create(
            {
                "contract_id": self.c_old.id,
                "employee_id": self.workers[1].id,
                "date_from": date(2026, 1, 10),
                "date_to": date(2026, 1, 20),
            }
        )
        report.action_check()
        old = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_old)
        self.assertIn("have no detail rows", old.error_text)
        # and the overlap of the two contracts is no problem: different days
        report.action_generate()
        self.assertTrue(
            report.contract_line_ids.filtered(
                lambda c: c.contract_id == self.c_old
            ).is_ok
        )

    def test_worker_on_two_contracts_same_days(self):
        self.env["l10n_mx_icsoe.contract.assignment"].create(
            {
                "contract_id": self.c_old.id,
                "employee_id": self.workers[2].id,
                "date_from": date(2026, 3, 10),
                "date_to": date(2026, 4, 20),
            }
        )
        files = [
            (
                "w2.xml",
                payslip(
                    self.company_a,
                    self.workers[2],
                    uuid="7a1b2c3d-0000-4000-8000-000000000001",
                    start=date(2026, 4, 1),
                    end=date(2026, 4, 15),
                    paid=date(2026, 4, 15),
                    sbc="278.80",
                    perceptions=(("001", "4000.00"),),
                ),
            )
        ]
        service = PayrollImport(self.env, self.company_a)
        service.apply(service.plan(files))
        report = self._report()
        lines = report.worker_line_ids.filtered(
            lambda w: w.employee_id == self.workers[2] and w.bimester == 2
        )
        self.assertEqual(len(lines), 2)
        # the pay is split between the two contracts, the aportación is not
        self.assertEqual(lines.mapped("fixed_pay"), [2000.0, 2000.0])
        for line in lines:
            self.assertIn("several contracts on 42 of the same days", line.warning_text)


@tagged("post_install", "-at_install")
class TestSisubPayData(SisubCase):
    def _import(self, files):
        service = PayrollImport(self.env, self.company_a)
        return service.apply(service.plan(files))

    def test_pay_and_credit_repayments_from_cfdi(self):
        w0, w1, _w2 = self.workers
        files = [
            # w0, February: fixed, variable (commissions), vales; counts as the
            # previous bimester's variable pay in March-April
            (
                "w0-feb.xml",
                payslip(
                    self.company_a,
                    w0,
                    uuid="7a1b2c3d-0000-4000-8000-000000000010",
                    start=date(2026, 2, 16),
                    end=date(2026, 2, 28),
                    paid=date(2026, 2, 27),
                    sbc="4000.00",
                    perceptions=(
                        ("001", "7000.00"),
                        ("028", "1000.00"),
                        ("029", "500.00"),
                    ),
                    deductions=(("010", "850.50"), ("002", "900.00")),
                ),
            ),
            # w1, March: pay, an incapacity and the housing credit repayment
            (
                "w1-mar.xml",
                payslip(
                    self.company_a,
                    w1,
                    uuid="7a1b2c3d-0000-4000-8000-000000000011",
                    start=date(2026, 3, 16),
                    end=date(2026, 3, 31),
                    paid=date(2026, 3, 31),
                    sbc="300.00",
                    perceptions=(("001", "4500.00"), ("014", "600.00")),
                    deductions=(("010", "420.25"),),
                    incapacities=(("02", "3"),),
                ),
            ),
        ]
        counts = self._import(files)
        self.assertEqual(counts["files"], 2)
        stored = self.env["l10n_mx_icsoe.payroll.cfdi"].search(
            [("employee_id", "=", w0.id)]
        )
        self.assertEqual(
            (
                stored.payment_date,
                stored.fixed_pay,
                stored.variable_pay,
                stored.non_integrable_pay,
                stored.housing_credit,
            ),
            (date(2026, 2, 27), 7000.0, 1000.0, 500.0, 850.5),
        )
        w1_cfdi = self.env["l10n_mx_icsoe.payroll.cfdi"].search(
            [("employee_id", "=", w1.id)]
        )
        self.assertEqual((w1_cfdi.incapacity_days, w1_cfdi.housing_credit), (3, 420.25))
        # re-import: nothing changes
        before = self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([])
        again = self._import(files)
        self.assertEqual((again["files"], again["skipped"]), (0, 2))
        self.assertEqual(
            self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), before
        )

        report = self._report()
        b1 = self._line(report, self.c_old, w0, 1)
        self.assertEqual(
            (b1.fixed_pay, b1.non_integrable_pay, b1.amortizacion, b1.payslip_count),
            (7000.0, 500.0, 850.5, 1),
        )
        b2 = self._line(report, self.c_old, w0, 2)
        self.assertEqual((b2.variable_pay, b2.fixed_pay), (1000.0, 0.0))
        self.assertIn("no payroll CFDI imported", b2.warning_text)
        w1_b2 = self._line(report, self.c_new, w1, 2)
        self.assertEqual(
            (
                w1_b2.fixed_pay,
                w1_b2.non_integrable_pay,
                w1_b2.incapacity_days,
                w1_b2.amortizacion,
            ),
            (4500.0, 600.0, 3, 420.25),
        )
        self.assertAlmostEqual(report.amortizacion_total, 850.5 + 420.25)
        # an incapacity does not reduce the aportación's days
        self.assertEqual(w1_b2.aportacion, 915.0)

    def test_bad_pay_writes_nothing(self):
        good = payslip(
            self.company_a,
            self.workers[1],
            uuid="7a1b2c3d-0000-4000-8000-000000000020",
            start=date(2026, 3, 1),
            end=date(2026, 3, 15),
            paid=date(2026, 3, 15),
            sbc="300.00",
        )
        bad = payslip(
            self.company_a,
            self.workers[0],
            uuid="7a1b2c3d-0000-4000-8000-000000000021",
            start=date(2026, 3, 1),
            end=date(2026, 3, 15),
            paid=date(2026, 3, 15),
            sbc="4000.00",
            incapacities=(("02", "tres"),),
        )
        before = self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([])
        with self.refused(UserError, "(?s)Nothing was imported.*DiasIncapacidad"):
            self._import([("good.xml", good), ("bad.xml", bad)])
        self.assertEqual(
            self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), before
        )


@tagged("post_install", "-at_install")
class TestSisubTypes(SisubCase):
    def test_normal_when_a_contract_started(self):
        report = self._report(report_type="continuous")
        self.assertTrue(report.type_mismatch)
        self.assertIn("started in 2026-1", report.check_message)
        report.action_apply_proposed_type()
        self.assertEqual(report.report_type, "normal")
        self.assertFalse(report.check_message)
        self.assertEqual(report.name, "SISUB 2026-1 Presentar informe")

    def test_datos_continuos(self):
        self.c_later.action_cancel()
        report = self._report(period="2")
        self.assertEqual(report.proposed_type, "continuous")
        self.assertIn("No contract started in 2026-2", report.check_message)
        report.action_apply_proposed_type()
        self.assertEqual(report.report_type, "continuous")
        self.assertEqual(report.contract_line_ids.contract_id, self.c_old | self.c_new)
        self.assertFalse(report.check_message)

    def test_sin_actividad(self):
        report = self._report(year=2025, period="1")
        self.assertEqual(
            (report.contract_count, report.proposed_type), (0, "no_activity")
        )
        report.action_apply_proposed_type()
        self.assertEqual(report.report_type, "no_activity")
        self.assertEqual(report.error_count, 0, report._checks_report())
        report.with_user(self.icsoe_manager).action_confirm()
        # no contracts file, no worker detail; the deed and the STPS registration
        self.assertEqual(set(self._exports(report)), {SUBJECT, DEED, STPS})
        subject = self._exports(report)[SUBJECT].decode()
        self.assertIn("Informe sin actividad".upper(), subject)
        # a Sin actividad while contracts are in force is an error
        wrong = self._report(report_type="no_activity")
        self.assertIn("Sin actividad is wrong", wrong.check_message)

    def test_complementario(self):
        report = self._answer(self._filed(), "accepted")
        self.assertTrue(report.is_effective)
        self.assertTrue(report.can_complement)
        action = report.with_user(self.icsoe_manager).action_new_complementary()
        comp = self.Sisub.browse(action["res_id"])
        self.assertEqual(
            (comp.report_type, comp.replaced_report_id, comp.state),
            ("complementary", report, "draft"),
        )
        self.assertEqual(comp.contract_count, 2)
        self.assertEqual(comp.name, "SISUB 2026-1 Complementario")
        self.assertFalse(report.can_complement)  # one in progress at a time
        with self.refused(ValidationError, "in progress"):
            internal(self.Sisub).create(
                {
                    "company_id": self.company_a.id,
                    "year": 2026,
                    "period": "1",
                    "report_type": "complementary",
                    "replaced_report_id": report.id,
                }
            )
        self._answer(self._filed(self._confirmed_existing(comp), "SISUB-2"), "accepted")
        report.invalidate_recordset()
        self.assertFalse(report.is_effective)
        self.assertTrue(comp.is_effective)
        csv = self._exports(comp)[SUBJECT].decode()
        self.assertIn("COMPLEMENTARIO", csv)

    def _confirmed_existing(self, report):
        report.with_user(self.icsoe_manager).action_confirm()
        return report

    def test_one_original_per_period(self):
        self._report()
        with self.refused(ValidationError, "one original SISUB report"):
            self._report(report_type="continuous")


@tagged("post_install", "-at_install")
class TestSisubFiles(SisubCase):
    def test_files_named_as_infonavit_and_fill_rules(self):
        report = self._confirmed()
        files = self._exports(report)
        self.assertEqual(
            set(files), {SUBJECT, CONTRACTS, DETAIL, DEED, CONTRACTS_PDF, STPS}
        )
        for name in (SUBJECT, CONTRACTS, DETAIL):
            self.assertFalse(files[name].endswith(b"\n"), name)  # no trailing break
            files[name].decode("ascii")  # nothing but ASCII left
        contracts = files[CONTRACTS].decode().split("\r\n")
        self.assertEqual(
            contracts[0].split(",")[:3],
            ["NUMERO_CONTRATO", "TIPO_CONTRATO", "OBJETO_CONTRATO"],
        )
        new = next(line for line in contracts if line.startswith("1002,")).split(",")
        self.assertEqual(
            new,
            [
                "1002",
                "PRESTACION DE SERVICIOS ESPECIALIZADOS",
                "LIMPIEZA MANTENIMIENTO JARDINERIA AREA 3",
                "01/03/2026",
                "31/12/9999",
                "50000.00",
                NRP_MAIN,
                "2",
                self.client_hostile.vat,
                "NANDU SA DE CV PLANTA 2",
                NRP_MAIN,
            ],
        )
        old = next(line for line in contracts if line.startswith("1001,")).split(",")
        self.assertEqual(
            (old[3], old[5], old[-1]), ("01/10/2025", "120000.00", NRP_CLIENT)
        )
        detail = files[DETAIL].decode().split("\r\n")
        self.assertEqual(len(detail), 1 + 6)  # header + two rows per worker
        w2 = [line.split(",") for line in detail if self.workers[2].ssnid in line]
        self.assertEqual([row[2] for row in w2], ["1", "2"])
        self.assertEqual(
            w2[1][:14],
            [
                "1",
                "2026",
                "2",
                self.company_a.vat,
                "1002",
                NRP_MAIN,
                self.workers[2].ssnid,
                "CALLE NANDU",
                "7",
                "B 2",
                "CENTRO",
                "76000",
                "QUERETARO",
                "QUERETARO",
            ],
        )
        w1_b1 = next(
            line.split(",")
            for line in detail
            if self.workers[1].ssnid in line and line.startswith("1,2026,1,")
        )
        self.assertEqual(w1_b1[-2:], ["0.00", "0.00"])  # no day placed: no aportación
        subject = files[SUBJECT].decode().split("\r\n")
        self.assertEqual(len(subject), 2)
        self.assertEqual(
            subject[1].split(","),
            [
                self.company_a.vat,
                "SERVICIOS ESPECIALIZADOS A",
                NRP_MAIN,
                "AR12345 2024",
                "01/03/2024",
                "1",
                "2026",
                "PRESENTAR INFORME",
                "2",
                "3",
            ],
        )
        # the contracts PDF holds the contract (2 pages) and the amendment (1 page)
        self.assertEqual(
            PdfFileReader(io.BytesIO(files[CONTRACTS_PDF])).getNumPages(), 3
        )

    def test_header_setting(self):
        self.company_a.l10n_mx_icsoe_sisub_csv_header = False
        report = self._report()
        files = dict(report._csv_files())
        self.assertTrue(files[CONTRACTS].startswith(b"1001,"))

    def test_frozen_at_confirmation(self):
        report = self._confirmed()
        self.assertTrue(report.exports_sha256)
        before = self._exports(report)
        # the sources change: the frozen exports do not
        self.c_new.amount_untaxed = 1
        self.assertEqual(dict(report._export_files()), before)
        data = report._zip_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.assertEqual(set(archive.namelist()), set(before))
        action = report.with_user(self.icsoe_user).action_download_zip()
        self.assertIn("/web/content/", action["url"])
        attachment = report.export_attachment_ids[:1]
        for method, args in (("unlink", ()), ("write", ({"raw": b"x"},))):
            with self.refused(UserError, "cannot be"):
                getattr(attachment.with_user(self.icsoe_manager), method)(*args)
        with self.refused(UserError, "by hand"):
            self.env["ir.attachment"].with_user(self.icsoe_manager).create(
                {
                    "name": "acuse.pdf",
                    "raw": pdf(),
                    "res_model": report._name,
                    "res_id": report.id,
                    "res_field": "acuse",
                }
            )
        # back to draft: the exports go, and come back new at the next confirmation
        report.with_user(self.icsoe_manager).action_draft()
        self.assertFalse(report.export_attachment_ids or report.exports_sha256)
        self.assertFalse(attachment.exists())


@tagged("post_install", "-at_install")
class TestSisubWorkflow(SisubCase):
    def test_draft_confirmed_filed_accepted(self):
        report = self._report()
        with self.assertRaises(AccessError):
            report.action_confirm()  # an ICSOE user is not a manager
        report.with_user(self.icsoe_manager).action_confirm()
        self.assertEqual(report.state, "confirmed")
        self.assertTrue(report.confirmed_at)
        with self.refused(UserError, "only a draft"):
            report.action_generate()
        self._filed(report)
        self.assertEqual(
            (report.state, report.infonavit_folio, report.is_late),
            ("filed", "SISUB-2026-000123", False),
        )
        self.assertTrue(report.acuse)
        with self.refused(UserError, "cannot go from Filed to Filed"):
            report._set_state("filed")
        self._answer(report, "accepted")
        self.assertEqual(report.state, "accepted")
        self.assertTrue(report.is_effective)
        with self.refused(UserError, "only drafts can be deleted"):
            report.with_user(self.icsoe_manager).unlink()

    def test_presentation_date_checked(self):
        report = self._confirmed()
        register = self.env["l10n_mx_icsoe.sisub.register"].with_user(
            self.icsoe_manager
        )
        for day, message in (
            (date(2026, 5, 6), "in the future"),
            (date(2026, 4, 30), "before 2026-05-01"),
        ):
            wizard = register.create(
                {
                    "sisub_id": report.id,
                    "infonavit_folio": "F1",
                    "filed_date": day,
                    "acuse": base64.b64encode(pdf()),
                }
            )
            with self.refused(UserError, message):
                wizard.action_register()
        self.assertEqual(report.state, "confirmed")

    def test_rejection_file_marks_lines(self):
        report = self._filed()
        nss = self.workers[2].ssnid
        error_file = (
            "Archivo;Linea;NSS;Contrato;Mensaje\n"
            "3_SISUB_Ley_29_bis_DetalleTrab;2;;;El NRP no corresponde al NSS\n"
            f";;{nss};1002;NSS sin relacion laboral vigente\n"
            ";;;1001;Monto del contrato invalido\n"
            ";;;;Error general del archivo\n"
        ).encode("cp1252")
        self._answer(report, "rejected", error_file)
        self.assertEqual(report.state, "rejected")
        self.assertTrue(report.error_file)
        w0_b1 = self._line(report, self.c_old, self.workers[0], 1)  # first detail row
        self.assertTrue(w0_b1.rejected)
        self.assertEqual(w0_b1.rejection_text, "El NRP no corresponde al NSS")
        w2_lines = report.worker_line_ids.filtered(
            lambda w: w.employee_id == self.workers[2]
        )
        self.assertTrue(all(w2_lines.mapped("rejected")))
        old = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_old)
        self.assertEqual(old.rejection_text, "Monto del contrato invalido")
        self.assertEqual(report.rejected_line_count, 4)
        self.assertIn("Error general del archivo", report.rejection_message)
        self.assertFalse(self._line(report, self.c_new, self.workers[1], 2).rejected)
        # loading it again replaces what the first one marked
        wizard = self.env["l10n_mx_icsoe.sisub.result"].with_user(self.icsoe_manager)
        wizard.create(
            {
                "sisub_id": report.id,
                "mode": "error_file",
                "error_file": base64.b64encode(b"NSS,Mensaje\n" + nss.encode() + b",X"),
                "error_filename": "log2.csv",
            }
        ).action_record()
        self.assertFalse(w0_b1.rejected)
        self.assertEqual(report.rejected_line_count, 2)
        # then a Complementario fixes it
        self.assertTrue(report.can_complement)

    def test_unreadable_error_file_changes_nothing(self):
        report = self._filed()
        with self.refused(UserError, "cannot be read"):
            self._answer(report, "rejected", b"\x00\x01binary")
        self.assertEqual(report.state, "filed")
        self.assertFalse(report.worker_line_ids.filtered("rejected"))


@tagged("post_install", "-at_install")
class TestSisubGuard(SisubCase):
    def test_client_cannot_forge_workflow(self):
        Sisub = self.Sisub.with_user(self.icsoe_user)
        base = {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        for vals in (
            {"state": "accepted"},
            {"state": "filed", "infonavit_folio": "X"},
            {"report_type": "complementary"},
            {"exports_sha256": "0" * 64},
        ):
            with self.refused(UserError, "created as a draft"):
                Sisub.create({**base, **vals})
        # a context default is dropped, not applied
        report = Sisub.with_context(default_state="accepted").create(base)
        self.assertEqual(report.state, "draft")
        with self.refused(UserError, "cannot be changed by hand"):
            report.write({"state": "accepted"})
        with self.refused(UserError, "cannot be changed by hand"):
            report.write({"infonavit_folio": "X"})
        result = Sisub.load(
            ["company_id/.id", "year", "period", "state"],
            [[str(self.company_a.id), "2025", "3", "accepted"]],
        )
        self.assertFalse(result["ids"])
        with self.refused(UserError, "cannot be duplicated"):
            report.copy()

    def test_lines_not_created_by_hand(self):
        report = self._report()
        with self.refused(UserError, "made by generating the SISUB report"):
            self.env["l10n_mx_icsoe.sisub.worker"].with_user(self.icsoe_user).create(
                {
                    "sisub_id": report.id,
                    "company_id": self.company_a.id,
                    "contract_line_id": report.contract_line_ids[0].id,
                }
            )
        report.with_user(self.icsoe_manager).action_confirm()
        line = report.worker_line_ids[0]
        with self.refused(UserError, "Confirmed: its lines cannot be changed"):
            line.with_user(self.icsoe_user).write({"aportacion_sua": 1})

    def test_other_company_sees_nothing(self):
        report = self._report()
        Sisub = self.Sisub.with_user(self.icsoe_user_b)
        self.assertFalse(Sisub.search([("id", "=", report.id)]))
        self.assertFalse(
            self.env["l10n_mx_icsoe.sisub.worker"]
            .with_user(self.icsoe_user_b)
            .search([("sisub_id", "=", report.id)])
        )
        with self.assertRaises(AccessError):
            Sisub.create({"company_id": self.company_a.id, "year": 2026, "period": "1"})


@tagged("post_install", "-at_install")
class TestSisubScheduling(SisubCase):
    def test_daily_drafts_and_overview(self):
        self.company_a.l10n_mx_icsoe_filings_since = date(2026, 1, 1)
        created = self.Sisub._cron_generate_drafts().filtered(
            lambda r: r.company_id == self.company_a
        )
        self.assertEqual(len(created), 1)
        self.assertEqual((created.year, created.period), (2026, "1"))
        self.assertTrue(created.generated_at)
        self.assertEqual(created.report_type, "normal")
        self.assertEqual(created.deadline, date(2026, 5, 18))
        activity = created.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("l10n_mx_icsoe.mail_activity_sisub_deadline")
            )
        )
        self.assertEqual(activity.date_deadline, date(2026, 5, 18))
        # a second run adds nothing
        self.assertFalse(self.Sisub._cron_generate_drafts())
        self.assertEqual(self.company_a.l10n_mx_icsoe_sisub_due_state, "draft")
        with freeze_time("2026-05-20 12:00:00"):
            created.invalidate_recordset()
            self.assertTrue(created.is_overdue)
            self.company_a.invalidate_recordset()
            self.assertEqual(self.company_a.l10n_mx_icsoe_sisub_overdue_count, 1)
            self.assertIn("251 to 300 UMA", created._fine_text())


@tagged("post_install", "-at_install")
class TestSisubCommand(SisubCase):
    def _run(self, *argv):
        args = icsoe_cli._parser().parse_args(["sisub-generate", *argv])
        return icsoe_cli.execute(self.env, args, commit=False)

    def test_sisub_generate(self):
        with tempfile.TemporaryDirectory() as directory:
            common = [
                "--company",
                self.company_a.vat,
                "--year",
                "2026",
                "--period",
                "1",
            ]
            code = self._run(*common, "--output", directory)
            self.assertEqual(code, 0)
            names = {p.name for p in Path(directory).iterdir()}
            self.assertEqual(
                names,
                {
                    SUBJECT,
                    CONTRACTS,
                    DETAIL,
                    "SISUB_2026-1_Presentar_informe_checks.txt",
                },
            )
            code = self._run(*common, "--confirm", "--output", directory)
            self.assertEqual(code, 0)
            names = {p.name for p in Path(directory).iterdir()}
            self.assertTrue({DEED, CONTRACTS_PDF, STPS} <= names)
        report = self.Sisub.search([("company_id", "=", self.company_a.id)])
        self.assertEqual(report.state, "confirmed")

    def test_exit_codes(self):
        with tempfile.TemporaryDirectory() as directory:
            self.assertEqual(
                self._run(
                    "--company", "NOPE", "--year", "2026", "--period", "1",
                    "--output", directory,
                ),
                2,
            )  # fmt: skip
            self.c_new.amount_untaxed = 0
            self.assertEqual(
                self._run(
                    "--company", str(self.company_a.id), "--year", "2026",
                    "--period", "1", "--confirm", "--output", directory,
                ),
                1,
            )  # fmt: skip
