import base64
import contextlib
import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.l10n_mx_icsoe.cli import icsoe as icsoe_cli
from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_curp, make_nss, make_rfc

from .common import IcsoeCase
from .test_lib_cfdi import build_cfdi, nomina_spec

PERIOD_1 = {
    "FechaPago": "2026-03-14",
    "FechaInicialPago": "2026-03-01",
    "FechaFinalPago": "2026-03-15",
}
PERIOD_2 = {
    "FechaPago": "2026-03-31",
    "FechaInicialPago": "2026-03-16",
    "FechaFinalPago": "2026-03-31",
}


@tagged("post_install", "-at_install")
class TestCfdiImport(IcsoeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        mx = cls.env.ref("base.mx")
        cls.client_b = cls.env["res.partner"].create(
            {
                "name": "Segundo Cliente SA de CV",
                "is_company": True,
                "country_id": mx.id,
                "vat": make_rfc("SCL120315K7"),
                "email": "b@cliente.example.mx",
                "mobile": "4420000001",
            }
        )
        Contract = cls.env["l10n_mx_icsoe.contract"]
        cls.contract_a = Contract.create(
            cls._contract_vals(name="CA", date_start=date(2026, 2, 1))
        )
        cls.contract_b = Contract.create(
            cls._contract_vals(
                name="CB", partner_id=cls.client_b.id, date_start=date(2026, 3, 1)
            )
        )
        # _contract_vals() makes them active
        cls.worker = cls.workers[0]
        cls.worker.l10n_mx_rfc = make_rfc("PEGJ900111AB")

    def _xml(
        self,
        version="4.0",
        uuid="5f3c1e2a-8b7d-4c9e-a1f0-2d6b8e4c7a91",
        period=None,
        worker=None,
        subcontracts=None,
        issuer=None,
        receptor=None,
        sbc="452.37",
    ):
        worker = worker or self.worker
        spec = nomina_spec(
            attrs=period or PERIOD_1,
            receptor={
                "Curp": worker.l10n_mx_curp or None,
                "NumSeguridadSocial": worker.ssnid or None,
                "SalarioBaseCotApor": sbc,
            },
            subcontracts=subcontracts
            if subcontracts is not None
            else [(self.client.vat, "60.00"), (self.client_b.vat, "40.00")],
        )
        return build_cfdi(
            version,
            nominas=[spec],
            emisor={"Rfc": issuer or self.company_a.vat},
            receptor={
                "Rfc": worker.l10n_mx_rfc or make_rfc("RECE900101AB"),
                **(receptor or {}),
            },
            uuid=uuid,
        )

    def _wizard(self, files, create_employees=False):
        attachments = self.env["ir.attachment"].create(
            [{"name": name, "raw": data} for name, data in files]
        )
        wizard = (
            self.env["l10n_mx_icsoe.cfdi.import"]
            .with_user(self.icsoe_manager)
            .create(
                {
                    "company_id": self.company_a.id,
                    "attachment_ids": [(6, 0, attachments.ids)],
                    "create_employees": create_employees,
                }
            )
        )
        return wizard

    def _import(self, files, **kw):
        wizard = self._wizard(files, **kw)
        wizard.action_preview()
        wizard.action_import()
        return wizard

    def _counts(self):
        return (
            self.env["l10n_mx_icsoe.sbc"].search_count([]),
            self.env["l10n_mx_icsoe.contract.assignment"].search_count([]),
            self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]),
            self.env["hr.employee"].search_count([]),
        )

    def test_matching_order(self):
        w_nss, w_curp, w_rfc = self.workers
        w_curp.ssnid = False
        w_rfc.write(
            {
                "ssnid": False,
                "l10n_mx_curp": False,
                "l10n_mx_rfc": make_rfc("RFCW900101AB"),
            }
        )
        files = [
            (
                "nss.xml",
                self._xml(uuid="11111111-1111-1111-1111-111111111111", worker=w_nss),
            ),
            (
                "curp.xml",
                self._xml(
                    uuid="22222222-2222-2222-2222-222222222222",
                    worker=self.workers[1].with_context(),
                ),
            ),
        ]
        # the third one carries identifiers nobody has, but the RFC of w_rfc
        spec_worker = self.env["hr.employee"].new(
            {
                "name": "x",
                "ssnid": make_nss("9915901234"),
                "l10n_mx_curp": make_curp("ZAZA900101HDFRRN0"),
                "l10n_mx_rfc": w_rfc.l10n_mx_rfc,
            }
        )
        files.append(
            (
                "rfc.xml",
                self._xml(
                    uuid="33333333-3333-3333-3333-333333333333", worker=spec_worker
                ),
            )
        )
        wizard = self._wizard(files)
        wizard.action_preview()
        matches = {
            line.filename: (line.match, line.employee_id) for line in wizard.line_ids
        }
        self.assertEqual(matches["nss.xml"], ("nss", w_nss))
        self.assertEqual(matches["curp.xml"], ("curp", w_curp))
        self.assertEqual(matches["rfc.xml"], ("rfc", w_rfc))

    def test_import_sbc_and_assignments_then_extend(self):
        self._import([("q1.xml", self._xml())])
        sbc = self.env["l10n_mx_icsoe.sbc"].search(
            [("employee_id", "=", self.worker.id)]
        )
        self.assertEqual(
            [(s.date_from, s.amount) for s in sbc], [(date(2026, 3, 15), 452.37)]
        )
        assignments = self.env["l10n_mx_icsoe.contract.assignment"].search(
            [("employee_id", "=", self.worker.id)]
        )
        self.assertEqual(
            {(a.contract_id, a.date_from, a.date_to) for a in assignments},
            {
                (self.contract_a, date(2026, 3, 1), date(2026, 3, 15)),
                (self.contract_b, date(2026, 3, 1), date(2026, 3, 15)),
            },
        )
        stored = self.env["l10n_mx_icsoe.payroll.cfdi"].search([])
        self.assertEqual(stored.uuid, "5F3C1E2A-8B7D-4C9E-A1F0-2D6B8E4C7A91")
        self.assertEqual(base64.b64decode(stored.xml_file), self._xml())
        # the next pay period, as CFDI 3.3: the assignments are extended, not duplicated
        wizard = self._import(
            [
                (
                    "q2.xml",
                    self._xml(
                        "3.3",
                        uuid="6f3c1e2a-8b7d-4c9e-a1f0-2d6b8e4c7a92",
                        period=PERIOD_2,
                        sbc="470.10",
                    ),
                )
            ]
        )
        self.assertIn("2 extended", wizard.summary)
        assignments = self.env["l10n_mx_icsoe.contract.assignment"].search(
            [("employee_id", "=", self.worker.id)]
        )
        self.assertEqual(len(assignments), 2)
        self.assertEqual(set(assignments.mapped("date_to")), {date(2026, 3, 31)})
        self.assertEqual(
            [(s.date_from, s.amount) for s in self.worker.l10n_mx_icsoe_sbc_ids],
            [(date(2026, 3, 31), 470.10), (date(2026, 3, 15), 452.37)],
        )
        # a later payslip with the same SBC adds no history row
        self._import(
            [
                (
                    "q3.xml",
                    self._xml(
                        uuid="7f3c1e2a-8b7d-4c9e-a1f0-2d6b8e4c7a93",
                        period={
                            "FechaPago": "2026-04-14",
                            "FechaInicialPago": "2026-04-01",
                            "FechaFinalPago": "2026-04-15",
                        },
                        sbc="470.10",
                    ),
                )
            ]
        )
        self.assertEqual(len(self.worker.l10n_mx_icsoe_sbc_ids), 2)

    def test_reimport_is_a_no_op(self):
        self._import([("q1.xml", self._xml())])
        before = self._counts()
        wizard = self._import([("again.xml", self._xml())])
        self.assertEqual(self._counts(), before)
        self.assertEqual(wizard.line_ids.status, "skip")
        self.assertIn("Already imported", wizard.line_ids.problems)

    def test_bad_input_writes_nothing(self):
        good = ("good.xml", self._xml())
        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as archive:
            archive.writestr(
                "ok.xml", self._xml(uuid="77777777-7777-7777-7777-777777777777")
            )
            archive.writestr("notes.txt", b"hello")
        bad_files = {
            "malformed.xml": b"<cfdi:Comprobante",
            "wrong-ns.xml": self._xml().replace(
                b"http://www.sat.gob.mx/cfd/4", b"http://example.com/cfd/4"
            ),
            "no-curp.xml": self._xml().replace(b'Curp="', b'CurpX="'),
            "bomb.xml": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
            "xxe.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "big.xml": b"<x>" + b" " * (3 * 1024 * 1024) + b"</x>",
            "archive.zip": zipped.getvalue(),
        }
        before = self._counts()
        for name, data in bad_files.items():
            with (
                self.subTest(name=name),
                self.assertRaisesRegex(UserError, name.split(".")[0]),
            ):
                self._import([good, (name, data)])
            self.assertEqual(self._counts(), before)

    def test_reported_not_guessed(self):
        unknown_client = make_rfc("UNK010101AB")
        files = [
            ("other-issuer.xml", self._xml(issuer=make_rfc("OTR010101AB"))),
            (
                "no-contract.xml",
                self._xml(
                    uuid="88888888-8888-8888-8888-888888888888",
                    subcontracts=[(unknown_client, "100.00")],
                ),
            ),
            (
                "invoice.xml",
                self._xml(uuid="99999999-9999-9999-9999-999999999999").replace(
                    b'TipoDeComprobante="N"', b'TipoDeComprobante="I"'
                ),
            ),
        ]
        wizard = self._wizard(files)
        wizard.action_preview()
        lines = {line.filename: line for line in wizard.line_ids}
        self.assertEqual(lines["other-issuer.xml"].status, "skip")
        self.assertIn("Issued by", lines["other-issuer.xml"].problems)
        self.assertEqual(lines["invoice.xml"].status, "skip")
        self.assertIn("Not a payroll CFDI", lines["invoice.xml"].problems)
        self.assertIn("no active contract", lines["no-contract.xml"].problems)
        wizard.action_import()
        # the SBC of the payslip without a contract is kept; no assignment is guessed
        self.assertEqual(len(self.worker.l10n_mx_icsoe_sbc_ids), 1)
        self.assertFalse(self.worker.l10n_mx_icsoe_assignment_ids)

    def test_create_employees(self):
        stranger = self.env["hr.employee"].new(
            {
                "name": "x",
                "ssnid": make_nss("4415901234"),
                "l10n_mx_curp": make_curp("LOMA850505MDFPRR0"),
                "l10n_mx_rfc": make_rfc("LOMA850505AB"),
            }
        )
        files = [
            (
                "new.xml",
                self._xml(worker=stranger, receptor={"Nombre": "ANA LOPEZ MARTINEZ"}),
            )
        ]
        wizard = self._import(files)
        self.assertIn("0 workers created", wizard.summary)
        self.assertFalse(
            self.env["hr.employee"].search([("ssnid", "=", stranger.ssnid)])
        )
        self._import(files, create_employees=True)
        created = self.env["hr.employee"].search([("ssnid", "=", stranger.ssnid)])
        self.assertEqual(created.name, "ANA LOPEZ MARTINEZ")
        self.assertEqual(created.l10n_mx_curp, stranger.l10n_mx_curp)
        self.assertEqual(created.l10n_mx_rfc, stranger.l10n_mx_rfc)
        self.assertEqual(created.company_id, self.company_a)

    def test_end_to_end_generation(self):
        self._import([("q1.xml", self._xml())])
        filing = self.env["l10n_mx_icsoe.filing"].create(
            {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        )
        filing.action_generate()
        self.assertEqual(
            filing.contract_line_ids.contract_id, self.contract_a | self.contract_b
        )
        self.assertEqual(filing.worker_line_ids.employee_id, self.worker)
        self.assertEqual(set(filing.worker_line_ids.mapped("sbc")), {452.37})
        self.assertEqual(filing.error_count, 0, filing._checks_report())

    def test_wizard_form_and_command(self):
        wizard = Form(
            self.env["l10n_mx_icsoe.cfdi.import"].with_user(self.icsoe_manager)
        )
        self.assertEqual(wizard.state, "upload")
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "q1.xml").write_bytes(self._xml())
            Path(folder, "bad.xml").write_bytes(b"<oops")
            parser = icsoe_cli._parser()
            base = ["import-cfdi", "--company", str(self.company_a.id)]
            args = parser.parse_args([*base, folder])
            self.assertEqual(icsoe_cli.execute(self.env, args, commit=False), 1)
            self.assertFalse(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]))
            Path(folder, "bad.xml").unlink()
            args = parser.parse_args([*base, folder])
            self.assertEqual(icsoe_cli.execute(self.env, args, commit=False), 0)
            self.assertEqual(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), 1)
            args = parser.parse_args([*base, str(Path(folder, "missing.xml"))])
            self.assertEqual(icsoe_cli.execute(self.env, args, commit=False), 2)

    def test_command_imports_a_large_upload_in_batches(self):
        """Above the background threshold the command reads and imports a batch
        at a time, as the background job does: the readable files are imported,
        the others listed, and the exit status says some were left out."""
        self.env["ir.config_parameter"].set_param(
            "l10n_mx_icsoe.import_background_files", 1
        )
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "q1.xml").write_bytes(self._xml())
            Path(folder, "bad.xml").write_bytes(b"<oops")
            args = icsoe_cli._parser().parse_args(
                ["import-cfdi", "--company", str(self.company_a.id), folder]
            )
            stderr = io.StringIO()
            with (
                patch.object(icsoe_cli, "BATCH_FILES", 1),
                contextlib.redirect_stderr(stderr),
                contextlib.redirect_stdout(io.StringIO()),
            ):
                self.assertEqual(icsoe_cli.execute(self.env, args, commit=False), 1)
        self.assertIn("not imported: bad.xml", stderr.getvalue())
        self.assertIn("1 file(s) not imported", stderr.getvalue())
        self.assertEqual(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), 1)
