import base64
import tempfile
from datetime import date, datetime
from pathlib import Path

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.l10n_mx_icsoe.cli import icsoe as icsoe_cli
from odoo.addons.l10n_mx_icsoe.icsoe import snapshot
from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_nss, make_rfc
from odoo.addons.l10n_mx_icsoe.models.guard import internal

from .common import IcsoeCase

PDF = base64.b64encode(b"%PDF-1.4 acuse")


class IcsoeFilingCase(IcsoeCase):
    """Company A with two contracts started in 2026-1 and one in 2026-2.

    The clock stands on 5 May 2026, in the filing window of 2026-1.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(freeze_time("2026-05-05 12:00:00"))
        w0, w1, w2 = cls.workers
        Sbc = cls.env["l10n_mx_icsoe.sbc"]
        Sbc.create(
            [
                {"employee_id": w0.id, "date_from": date(2025, 12, 1), "amount": 300},
                {"employee_id": w0.id, "date_from": date(2026, 4, 1), "amount": 350},
                {"employee_id": w0.id, "date_from": date(2026, 6, 1), "amount": 400},
                {"employee_id": w1.id, "date_from": date(2026, 1, 1), "amount": 500.5},
                {"employee_id": w2.id, "date_from": date(2026, 1, 1), "amount": 278.8},
            ]
        )
        Contract = cls.env["l10n_mx_icsoe.contract"]
        cls.c1 = Contract.create(
            cls._contract_vals(
                name="C1",
                date_start=date(2026, 2, 10),
                assignment_ids=[
                    (0, 0, {"employee_id": w0.id, "date_from": date(2026, 2, 10)}),
                    (0, 0, {"employee_id": w1.id, "date_from": date(2026, 2, 10)}),
                ],
            )
        )
        cls.c2 = Contract.create(
            cls._contract_vals(
                name="C2",
                date_start=date(2026, 3, 1),
                assignment_ids=[
                    (0, 0, {"employee_id": w2.id, "date_from": date(2026, 3, 1)})
                ],
            )
        )
        cls.c_later = Contract.create(
            cls._contract_vals(
                name="C-LATER",
                date_start=date(2026, 5, 4),
                assignment_ids=[
                    (0, 0, {"employee_id": w2.id, "date_from": date(2026, 5, 4)})
                ],
            )
        )
        cls.c_cancelled = Contract.create(
            cls._contract_vals(name="C-CANCELLED", date_start=date(2026, 1, 20))
        )
        cls.c_cancelled.action_cancel()
        cls.Filing = cls.env["l10n_mx_icsoe.filing"]

    def _filing(self, year=2026, period="1", user=None, **vals):
        Filing = self.Filing.with_user(user or self.icsoe_user)
        filing = Filing.create(
            {"company_id": self.company_a.id, "year": year, "period": period, **vals}
        )
        filing.action_generate()
        return filing

    def _confirmed(self, **vals):
        filing = self._filing(**vals)
        filing.with_user(self.icsoe_manager).action_confirm()
        return filing

    def _filed(self, filing=None, folio="N262253432"):
        filing = filing or self._confirmed()
        wizard = Form(
            self.env["l10n_mx_icsoe.filing.register"]
            .with_user(self.icsoe_manager)
            .with_context(active_id=filing.id)
        )
        wizard.imss_folio = folio
        wizard.filed_date = date(2026, 5, 5)
        wizard.filed_time = 13.5
        wizard.acuse = PDF
        wizard.save().action_register()
        return filing


@tagged("post_install", "-at_install")
class TestGeneration(IcsoeFilingCase):
    def test_generate_started_in_period(self):
        filing = self._filing()
        self.assertEqual(filing.state, "draft")
        self.assertEqual(filing.contract_line_ids.contract_id, self.c1 | self.c2)
        self.assertEqual(filing.contract_count, 2)
        self.assertEqual(filing.worker_count, 3)
        self.assertEqual(filing.error_count, 0, filing._checks_report())
        line = filing.contract_line_ids.filtered(lambda c: c.contract_id == self.c1)
        self.assertEqual(line.service_text, "10001 — Servicios de limpieza industrial")
        self.assertEqual(line.client_rfc, self.client.vat)
        self.assertEqual(line.client_person_type, "moral")
        w0 = line.worker_ids.filtered(lambda w: w.employee_id == self.workers[0])
        # the last SBC registered up to the end of the period, not the later one
        self.assertEqual((w0.sbc, w0.sbc_date), (350.0, date(2026, 4, 1)))
        self.assertEqual(w0.nss, self.workers[0].ssnid)
        self.assertEqual(filing.deadline, date(2026, 5, 18))

    def test_regenerate_rebuilds(self):
        filing = self._filing()
        old_lines = filing.contract_line_ids
        self.env["l10n_mx_icsoe.contract.assignment"].create(
            {
                "contract_id": self.c2.id,
                "employee_id": self.workers[0].id,
                "date_from": date(2026, 4, 1),
            }
        )
        filing.action_generate()
        self.assertFalse(old_lines.exists())
        self.assertEqual(filing.worker_count, 4)

    def test_worker_starting_after_period_reported(self):
        # LSS 15-A fr. II: the workers who *will* render the service.
        self.env["l10n_mx_icsoe.contract.assignment"].create(
            {
                "contract_id": self.c1.id,
                "employee_id": self.workers[2].id,
                "date_from": date(2026, 6, 1),
            }
        )
        filing = self._filing()
        self.assertEqual(filing.worker_count, 4)
        late = filing.worker_line_ids.filtered(
            lambda w: w.date_assigned == date(2026, 6, 1)
        )
        self.assertIn("after the period", late.warning_text)
        self.assertTrue(late.is_ok)

    def test_query_count_does_not_grow(self):
        def queries(filing):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            filing.action_generate()
            return self.env.cr.sql_log_count - before

        filing = self._filing()
        small = queries(filing)
        contracts = self.env["l10n_mx_icsoe.contract"].create(
            [
                self._contract_vals(
                    name=f"BULK-{i}",
                    date_start=date(2026, 4, 1),
                    assignment_ids=[
                        (0, 0, {"employee_id": w.id, "date_from": date(2026, 4, 1)})
                        for w in self.workers
                    ],
                )
                for i in range(8)
            ]
        )
        self.assertEqual(len(contracts), 8)
        large = queries(filing)
        self.assertEqual(filing.contract_count, 10)
        self.assertEqual(small, large)

    def test_no_contracts_proposes_no_info(self):
        filing = self._filing(year=2025, period="3")
        self.assertTrue(filing.propose_no_info)
        self.assertEqual(filing.error_count, 1)
        self.assertIn("Sin información", filing.check_message)
        with self.assertRaisesRegex(UserError, "1 error"):
            filing.with_user(self.icsoe_manager).action_confirm()
        filing.action_set_no_info()
        self.assertEqual(filing.filing_type, "no_info")
        self.assertEqual(filing.error_count, 0)
        filing.with_user(self.icsoe_manager).action_confirm()
        self.assertEqual(filing.state, "confirmed")

    def test_no_info_with_contracts_is_an_error(self):
        filing = self._filing(filing_type="no_info")
        self.assertIn("file a Normal", filing.check_message)
        with self.assertRaises(UserError):
            filing.action_set_no_info()

    def test_second_normal_refused(self):
        self._filing()
        with self.assertRaisesRegex(ValidationError, "already has a Normal"):
            self._filing()


@tagged("post_install", "-at_install")
class TestChecks(IcsoeFilingCase):
    def _line(self, filing, contract):
        # Lines are read-only for users: bad data is planted as the superuser.
        return filing.contract_line_ids.filtered(
            lambda c: c.contract_id == contract
        ).sudo()

    def _assert_error(self, filing, line, text):
        filing.action_check()
        self.assertFalse(line.is_ok)
        self.assertIn(text, line.error_text)
        self.assertGreaterEqual(filing.error_count, 1)
        with self.assertRaisesRegex(UserError, "error"):
            filing.with_user(self.icsoe_manager).action_confirm()

    def test_client_is_contractor(self):
        filing = self._filing()
        line = self._line(filing, self.c1)
        line.client_rfc = self.company_a.vat
        self._assert_error(filing, line, "contratista and contratante")

    def test_empty_service(self):
        filing = self._filing()
        line = self._line(filing, self.c1)
        line.service_text = False
        self._assert_error(filing, line, "Servicio u obra especializado")

    def test_start_date_missing_or_outside_period(self):
        filing = self._filing()
        line = self._line(filing, self.c1)
        line.date_start = date(2026, 6, 1)
        self._assert_error(filing, line, "outside the period")
        line.date_start = False
        self._assert_error(filing, line, "Start Date is missing")
        line.date_start = date(2026, 2, 10)
        line.date_end = date(2026, 2, 1)
        self._assert_error(filing, line, "before the Start Date")

    def test_contract_without_workers(self):
        contract = self.env["l10n_mx_icsoe.contract"].create(
            self._contract_vals(name="EMPTY", date_start=date(2026, 4, 2))
        )
        filing = self._filing()
        self._assert_error(filing, self._line(filing, contract), "no worker")

    def test_client_contact_data(self):
        self.client.write({"email": False, "mobile": False})
        filing = self._filing()
        line = self._line(filing, self.c1)
        self.assertIn("no e-mail", line.error_text)
        self.assertIn("no mobile", line.error_text)
        self.client.write({"l10n_mx_icsoe_other_address": True})
        filing.action_generate()
        self.assertIn("incomplete", self._line(filing, self.c1).error_text)

    def test_rfc_checks(self):
        filing = self._filing()
        line = self._line(filing, self.c1)
        line.client_rfc = "ABC12"
        self._assert_error(filing, line, "RFC")
        good = make_rfc("CIN100101XY")
        line.client_rfc = good[:-1] + ("1" if good[-1] != "1" else "2")
        filing.action_check()
        self.assertTrue(line.is_ok)
        self.assertIn("check digit", line.warning_text)
        self.assertEqual(filing.error_count, 0)
        filing.with_user(self.icsoe_manager).action_confirm()  # warnings do not block

    def test_worker_identifiers(self):
        filing = self._filing()
        worker = filing.worker_line_ids[0].sudo()
        for field, value, text in (
            ("nss", "1234", "NSS"),
            ("nss", False, "has no NSS"),
            ("curp", "PEGJ900101", "CURP"),
            ("curp", False, "has no CURP"),
        ):
            with self.subTest(field=field, value=value):
                original = worker[field]
                worker[field] = value
                filing.action_check()
                self.assertFalse(worker.is_ok)
                self.assertIn(text, worker.error_text)
                worker[field] = original
        filing.action_check()
        self.assertEqual(filing.error_count, 0)

    def test_sbc_checks(self):
        self.env["l10n_mx_icsoe.sbc"].search(
            [("employee_id", "=", self.workers[2].id)]
        ).unlink()
        self.env["l10n_mx_icsoe.sbc"].create(
            {
                "employee_id": self.workers[1].id,
                "date_from": date(2026, 4, 1),
                "amount": 3000,
            }
        )
        filing = self._filing()
        no_sbc = filing.worker_line_ids.filtered(
            lambda w: w.employee_id == self.workers[2]
        )
        self.assertIn("no SBC", no_sbc.error_text)
        high = filing.worker_line_ids.filtered(
            lambda w: w.employee_id == self.workers[1]
        )
        self.assertTrue(high.is_ok)
        self.assertIn("above 25 UMA", high.warning_text)

    def test_duplicate_nss_in_contract(self):
        twin = self.env["hr.employee"].create(
            {
                "name": "Gemelo",
                "company_id": self.company_a.id,
                "ssnid": self.workers[0].ssnid,
            }
        )
        self.env["l10n_mx_icsoe.contract.assignment"].create(
            {
                "contract_id": self.c1.id,
                "employee_id": twin.id,
                "date_from": date(2026, 3, 1),
            }
        )
        filing = self._filing()
        self.assertIn(
            "appears twice",
            "".join(filter(None, filing.worker_line_ids.mapped("error_text"))),
        )
        self.assertGreaterEqual(filing.error_count, 1)

    def test_repse_registration_not_valid(self):
        # Cancelled with effect before C1 started: C1 has no valid registration.
        self.registration.cancel_date = date(2026, 2, 1)
        filing = self._filing()
        self.assertIn("valid on the Start Date", self._line(filing, self.c1).error_text)


@tagged("post_install", "-at_install")
class TestWorkflow(IcsoeFilingCase):
    def test_user_prepares_manager_confirms(self):
        filing = self._filing()
        with self.assertRaises(AccessError):
            filing.action_confirm()
        filing.with_user(self.icsoe_manager).action_confirm()
        self.assertEqual(filing.state, "confirmed")

    def test_workflow_fields_cannot_be_written_by_hand(self):
        filing = self._filing()
        as_user = filing.with_user(self.icsoe_user)
        for ctx in (
            {},
            {"l10n_mx_icsoe_internal": True},
            {"l10n_mx_icsoe_transition": 1},
        ):
            with self.subTest(ctx=ctx), self.assertRaisesRegex(UserError, "by hand"):
                as_user.with_context(**ctx).write(
                    {"state": "filed", "imss_folio": "N1"}
                )
        with self.assertRaisesRegex(UserError, "by hand"):
            as_user.write({"error_count": 0})
        with self.assertRaises(AccessError):
            filing.contract_line_ids[0].with_user(self.icsoe_user).write(
                {"client_rfc": "X"}
            )
        filing.with_user(self.icsoe_manager).action_confirm()
        self._filed(filing)
        with self.assertRaisesRegex(UserError, "by hand"):
            filing.with_user(self.icsoe_manager).with_context(
                l10n_mx_icsoe_internal=True
            ).write({"state": "draft"})
        self.assertEqual(filing.state, "filed")

    def test_confirmed_is_frozen(self):
        filing = self._confirmed()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            filing.contract_line_ids[0].client_rfc = "X"
        with self.assertRaisesRegex(UserError, "by hand"):
            filing.year = 2025
        with self.assertRaisesRegex(UserError, "only a draft"):
            filing.action_generate()
        with self.assertRaisesRegex(UserError, "only draft"):
            filing.unlink()
        filing.with_user(self.icsoe_manager).action_draft()
        self.assertEqual(filing.state, "draft")
        self.assertFalse(filing.export_attachment_ids)
        self.assertFalse(filing.snapshot_sha256)

    def test_exports(self):
        self.company_a.l10n_mx_icsoe_csv_header = True
        filing = self._confirmed()
        files = dict(filing._export_files())
        self.assertEqual(
            sorted(n for n in files if not n.endswith(".pdf")),
            sorted(
                [
                    "ICSOE_2026-1_Normal_snapshot.xml",
                    "ICSOE_2026-1_Normal_hoja_de_captura.html",
                    "contrato_001_C1.csv",
                    "contrato_002_C2.csv",
                ]
            ),
        )
        w0, w1, w2 = self.workers
        self.assertEqual(
            files["contrato_001_C1.csv"],
            (
                f"NSS,CURP,SBC\r\n{w0.ssnid},{w0.l10n_mx_curp},350.00\r\n"
                f"{w1.ssnid},{w1.l10n_mx_curp},500.50"
            ).encode(),
        )
        self.assertEqual(
            files["contrato_002_C2.csv"],
            f"NSS,CURP,SBC\r\n{w2.ssnid},{w2.l10n_mx_curp},278.80".encode(),
        )
        xml = files["ICSOE_2026-1_Normal_snapshot.xml"]
        self.assertEqual(snapshot.validate_snapshot(xml), [])
        self.assertEqual(filing.snapshot_sha256, snapshot.sha256_hex(xml))
        sheet = files["ICSOE_2026-1_Normal_hoja_de_captura.html"].decode()
        for text in (
            "C1",
            "C2",
            "10001 — Servicios de limpieza industrial",
            self.client.vat,
        ):
            self.assertIn(text, sheet)
        self.assertLess(sheet.index("C1"), sheet.index("C2"))
        action = filing.action_download_zip()
        self.assertIn("/web/content/", action["url"])

    def test_large_contract_csv_split(self):
        filing = self._filing()
        line = filing.contract_line_ids[0]
        vals = [
            {
                "filing_id": filing.id,
                "company_id": self.company_a.id,
                "filing_contract_id": line.id,
                "name": f"W{i}",
                "nss": make_nss(f"99{i:08d}"),
                "curp": self.workers[0].l10n_mx_curp,
                "sbc": 300,
            }
            for i in range(3001)
        ]
        self.env["l10n_mx_icsoe.filing.worker"].create(vals)
        names = [n for n, _c in filing._worker_csv_files()]
        self.assertIn("contrato_001_C1_1de2.csv", names)
        self.assertIn("contrato_001_C1_2de2.csv", names)

    def test_register_filed(self):
        filing = self._filed()
        self.assertEqual(filing.state, "filed")
        self.assertEqual(filing.imss_folio, "N262253432")
        # 13:30 in Mexico City (UTC-6) is 19:30 UTC
        self.assertEqual(filing.filed_datetime, datetime(2026, 5, 5, 19, 30))
        self.assertTrue(filing.acuse)
        self.assertTrue(filing.is_effective)
        for vals in ({"imss_folio": "X"}, {"year": 2025}, {"acuse": False}):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "by hand"),
            ):
                filing.with_user(self.icsoe_manager).write(vals)
        with self.assertRaisesRegex(UserError, "only draft"):
            filing.with_user(self.icsoe_manager).unlink()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            filing.worker_line_ids[0].sudo().unlink()
        with self.assertRaisesRegex(UserError, "exports and acuse"):
            filing.export_attachment_ids[0].unlink()
        acuse = self.env["ir.attachment"].search(
            [
                ("res_model", "=", filing._name),
                ("res_id", "=", filing.id),
                ("res_field", "=", "acuse"),
            ]
        )
        with self.assertRaisesRegex(UserError, "exports and acuse"):
            acuse.write({"raw": b"other"})
        with self.assertRaisesRegex(UserError, "cannot go from Filed to Draft"):
            filing.with_user(self.icsoe_manager).action_draft()

    def test_sources_of_a_filing_cannot_be_deleted(self):
        self._filed()
        for record in (self.c1, self.workers[0], self.client):
            with (
                self.subTest(record=record),
                self.assertRaises(IntegrityError),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                record.unlink()

    def test_register_needs_confirmed(self):
        filing = self._filing()
        with self.assertRaisesRegex(UserError, "only a confirmed"):
            filing.with_user(self.icsoe_manager)._register_filed(
                "N1", datetime(2026, 5, 1), PDF, "a.pdf"
            )

    def test_correction_replaces(self):
        original = self._filed()
        self.env["l10n_mx_icsoe.contract.assignment"].create(
            {
                "contract_id": self.c2.id,
                "employee_id": self.workers[0].id,
                "date_from": date(2026, 4, 1),
            }
        )
        action = original.with_user(self.icsoe_manager).action_new_correction()
        correction = self.Filing.browse(action["res_id"])
        self.assertEqual(correction.filing_type, "correction")
        self.assertEqual(correction.replaced_filing_id, original)
        self.assertEqual(correction.worker_count, 4)  # a full new version
        self.assertIn("Workers added", correction.diff_html)
        self.assertIn(self.workers[0].ssnid, correction.diff_html)
        with self.assertRaisesRegex(UserError, "in progress"):
            original.with_user(self.icsoe_manager).action_new_void()
        correction.with_user(self.icsoe_manager).action_confirm()
        self._filed(correction, folio="C262253433")
        self.assertEqual(original.state, "replaced")
        self.assertFalse(original.is_effective)
        self.assertTrue(correction.is_effective)
        with self.assertRaisesRegex(UserError, "replaced by a Corrección"):
            original.with_user(self.icsoe_manager).action_new_correction()

    def test_void_then_new_normal(self):
        original = self._filed()
        action = original.with_user(self.icsoe_manager).action_new_void()
        void = self.Filing.browse(action["res_id"])
        self.assertEqual(void.contract_count, 0)
        void.with_user(self.icsoe_manager).action_confirm()
        self._filed(void, folio="SE1")
        self.assertEqual(original.state, "voided")
        self.assertFalse(void.is_effective)
        with self.assertRaisesRegex(UserError, "Sin efectos"):
            void.with_user(self.icsoe_manager).action_new_correction()
        again = self._filing()
        self.assertEqual(again.contract_count, 2)

    def test_complementary_limit(self):
        self.company_a.l10n_mx_icsoe_max_complementary = 1
        original = self._filed()
        correction = self.Filing.browse(
            original.with_user(self.icsoe_manager).action_new_correction()["res_id"]
        )
        correction.with_user(self.icsoe_manager).action_confirm()
        self._filed(correction, folio="C1")
        with self.assertRaisesRegex(UserError, "limit of 1"):
            correction.with_user(self.icsoe_manager).action_new_correction()

    def test_complementary_rules(self):
        original = self._confirmed()
        # Complementarias come only from the Manager's buttons, never from create.
        for user in (self.icsoe_user, self.icsoe_manager):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(
                    UserError, "created as a draft Normal or Sin información"
                ),
            ):
                self.Filing.with_user(user).create(
                    {
                        "company_id": self.company_a.id,
                        "year": 2026,
                        "period": "1",
                        "filing_type": "correction",
                        "replaced_filing_id": original.id,
                    }
                )
        with self.assertRaisesRegex(UserError, "Confirmed"):
            original.with_user(self.icsoe_manager).action_new_correction()
        with (
            self.assertRaisesRegex(ValidationError, "must name"),
            self.env.cr.savepoint(),
        ):
            internal(self.Filing).create(
                {
                    "company_id": self.company_a.id,
                    "year": 2026,
                    "period": "2",
                    "filing_type": "correction",
                }
            )
        self._filed(original)
        with self.assertRaisesRegex(ValidationError, "same company and period"):
            internal(self.Filing).create(
                {
                    "company_id": self.company_a.id,
                    "year": 2026,
                    "period": "2",
                    "filing_type": "correction",
                    "replaced_filing_id": original.id,
                }
            )
        with self.assertRaises(AccessError):
            original.with_user(self.icsoe_user).action_new_correction()

    def test_other_company_and_plain_user(self):
        filing = self._filing()
        with self.assertRaises(AccessError):
            filing.with_user(self.icsoe_user_b).read(["name"])
        self.assertFalse(
            self.env["l10n_mx_icsoe.filing"].with_user(self.icsoe_user_b).search([])
        )
        with self.assertRaises(AccessError):
            filing.with_user(self.plain_user).read(["name"])
        with self.assertRaises(AccessError):
            filing.worker_line_ids.with_user(self.plain_user).read(["nss"])


@tagged("post_install", "-at_install")
class TestDeadlines(IcsoeFilingCase):
    def test_deadline_table(self):
        expected = {
            (2025, "1"): date(2025, 5, 19),
            (2025, "2"): date(2025, 9, 17),
            (2025, "3"): date(2026, 1, 19),
            (2026, "1"): date(2026, 5, 18),
            (2026, "2"): date(2026, 9, 17),
            (2026, "3"): date(2027, 1, 18),
            (2027, "1"): date(2027, 5, 17),
            (2027, "2"): date(2027, 9, 17),
            (2027, "3"): date(2028, 1, 17),
            (2028, "1"): date(2028, 5, 17),
            (2028, "2"): date(2028, 9, 18),
            (2028, "3"): date(2029, 1, 17),
        }
        filings = self.Filing.create(
            [
                {"company_id": self.company_a.id, "year": y, "period": p}
                for (y, p) in expected
            ]
        )
        got = {(f.year, f.period): f.deadline for f in filings}
        self.assertEqual(got, expected)

    def test_holiday_table_moves_deadline(self):
        self.env["l10n_mx_icsoe.holiday"].create(
            {"date": date(2027, 5, 17), "name": "Día inhábil IMSS"}
        )
        filing = self.Filing.create(
            {"company_id": self.company_a.id, "year": 2027, "period": "1"}
        )
        self.assertEqual(filing.deadline, date(2027, 5, 18))

    def test_overdue(self):
        filing = self.Filing.create(
            {"company_id": self.company_a.id, "year": 2025, "period": "3"}
        )
        self.assertTrue(filing.is_overdue)
        self.assertIn(filing, self.Filing.search([("is_overdue", "=", True)]))
        current = self.Filing.create(
            {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        )
        self.assertFalse(current.is_overdue)
        self.assertIn(current, self.Filing.search([("is_overdue", "=", False)]))


@tagged("post_install", "-at_install")
class TestCommand(IcsoeFilingCase):
    def _run(self, *argv):
        args = icsoe_cli._parser().parse_args(["generate", *argv])
        return icsoe_cli.execute(self.env, args, commit=False)

    def test_exit_codes(self):
        with tempfile.TemporaryDirectory() as out:
            base = ["--year", "2026", "--period", "1", "--output", out]
            self.assertEqual(self._run("--company", "999999", *base), 2)
            self.assertEqual(self._run("--company", self.company_a.vat, *base), 0)
            self.assertTrue((Path(out) / "contrato_001_C1.csv").exists())
            self.client.email = False
            self.assertEqual(
                self._run("--company", str(self.company_a.id), "--confirm", *base), 1
            )
            self.client.email = "compras@cliente.example.mx"
            self.assertEqual(
                self._run("--company", str(self.company_a.id), "--confirm", *base), 0
            )
            self.assertTrue((Path(out) / "ICSOE_2026-1_Normal_snapshot.xml").exists())
        with self.assertRaises(SystemExit) as exit_:
            icsoe_cli._parser().parse_args(["generate", "--period", "4"])
        self.assertEqual(exit_.exception.code, 2)
