"""A company's whole life: renewals, late and missed periods, chains, foreign clients."""

import base64
import dataclasses
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.l10n_mx_icsoe.icsoe import layouts
from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_curp, make_nss, make_rfc
from odoo.addons.l10n_mx_icsoe.models.guard import internal

from .common import IcsoeCase

PDF = base64.b64encode(b"%PDF-1.4 acuse")


class LifecycleCase(IcsoeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Filing = cls.env["l10n_mx_icsoe.filing"]
        cls.Reg = cls.env["l10n_mx_icsoe.repse.registration"]
        cls.Contract = cls.env["l10n_mx_icsoe.contract"]
        cls.Sbc = cls.env["l10n_mx_icsoe.sbc"]
        cls.Sbc.create(
            [
                {"employee_id": w.id, "date_from": date(2024, 1, 1), "amount": 400}
                for w in cls.workers
            ]
        )

    def _contract(self, name, start, workers=None, **vals):
        workers = self.workers[:1] if workers is None else workers
        return self.Contract.create(
            self._contract_vals(
                name=name,
                date_start=start,
                assignment_ids=[
                    Command.create({"employee_id": w.id, "date_from": start})
                    for w in workers
                ],
                **vals,
            )
        )

    def _filing(self, year, period, user=None):
        filing = self.Filing.with_user(user or self.icsoe_manager).create(
            {"company_id": self.company_a.id, "year": year, "period": str(period)}
        )
        filing.action_generate()
        return filing

    def _file(self, filing, when, folio="N1", declared=None):
        filing = filing.with_user(self.icsoe_manager)
        if filing.state == "draft":
            filing.action_confirm()
        filing._register_filed(folio, when, PDF, "acuse.pdf", declared_count=declared)
        return filing

    def _new(self, action):
        return self.Filing.browse(action["res_id"]).with_user(self.icsoe_manager)


@tagged("post_install", "-at_install")
class TestRenewal(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The fixture's AR12345/2024 (2024-03-01 .. 2027-03-01) is renewed twice.
        cls.r1 = cls.registration
        cls.r2 = cls.Reg.create(
            {
                "name": "AR22222/2027",
                "company_id": cls.company_a.id,
                "registration_date": date(2027, 3, 1),
                "renewed_registration_id": cls.r1.id,
                "service_ids": [
                    Command.create(
                        {
                            "folio": "30001",
                            "description": "Servicios de limpieza industrial",
                        }
                    ),
                    Command.create(
                        {"folio": "30002", "description": "Mantenimiento de maquinaria"}
                    ),
                ],
            }
        )
        cls.r3 = cls.Reg.create(
            {
                "name": "AR33333/2030",
                "company_id": cls.company_a.id,
                "registration_date": date(2030, 3, 1),
                "renewed_registration_id": cls.r2.id,
                "service_ids": [
                    Command.create(
                        {
                            "folio": "40001",
                            "description": "Servicios de limpieza industrial",
                        }
                    ),
                ],
            }
        )

    def test_chain_answers_which_registration_was_valid(self):
        chain = self.Reg._chain_of(self.company_a)
        for day, expected in (
            (date(2024, 2, 29), None),
            (date(2025, 6, 1), self.r1),
            (date(2027, 3, 1), self.r2),
            (date(2031, 1, 1), self.r3),
            (date(2033, 3, 1), None),
        ):
            with self.subTest(day=day):
                found = chain.valid_for(self.r3.id, day)
                self.assertEqual(found and found.id, expected and expected.id)
        self.assertEqual(self.r1.state, "renewed")
        self.assertEqual(self.r3.renewed_registration_id, self.r2)

    def test_late_filing_after_expiry_and_move_to_renewed_service(self):
        contract = self._contract("OLD-1", date(2026, 2, 10))
        with freeze_time("2027-06-15 18:00:00"):  # AR12345/2024 expired on 2027-03-01
            filing = self._filing(2026, 1)
            self.assertEqual(filing.error_count, 0, filing._checks_report())
            self._file(filing, datetime(2027, 6, 15, 17, 0))
            self.assertTrue(filing.is_late)
            # the contract moves to the renewal's service; the filing keeps its copy
            self.r2.with_user(self.icsoe_manager).action_move_contracts()
            self.assertEqual(contract.repse_service_id.folio, "30001")
            line = filing.contract_line_ids
            self.assertEqual(
                line.service_text, "10001 — Servicios de limpieza industrial"
            )
            # and moved on again to the third registration, started under the first
            self.r3.with_user(self.icsoe_manager).action_move_contracts()
            self.assertEqual(contract.repse_service_id.registration_id, self.r3)
            self.assertTrue(
                contract.repse_service_id.registration_id._is_valid_on(
                    contract.date_start
                )
            )

    def test_move_refused_when_a_service_has_no_match(self):
        self._contract(
            "MAINT", date(2026, 2, 10), repse_service_id=self.r1.service_ids[1].id
        )
        self.r2.service_ids[1].unlink()
        with self.assertRaisesRegex(UserError, "no service matching 10002"):
            self.r2.with_user(self.icsoe_manager).action_move_contracts()
        # all or nothing: the contract stays where it was
        self.assertEqual(
            self.Contract.search([("name", "=", "MAINT")]).repse_service_id,
            self.r1.service_ids[1],
        )

    def test_pending_renewal_is_a_setting(self):
        company = self.company_b
        reg = self.Reg.create(
            {
                "name": "B-2023",
                "company_id": company.id,
                "registration_date": date(2023, 1, 10),
                "renewal_requested_date": date(2025, 12, 1),
                "service_ids": [Command.create({"folio": "1", "description": "Obra"})],
            }
        )
        # expired on 2026-01-10; the renewal was requested in the window
        self.assertEqual(reg.state, "renewal_requested")
        self.assertTrue(reg._is_valid_on(date(2026, 3, 1)))
        company.l10n_mx_icsoe_pending_renewal_valid = False
        self.assertFalse(reg._is_valid_on(date(2026, 3, 1)))
        self.assertTrue(reg._is_valid_on(date(2026, 1, 9)))

    def test_renewal_refusals(self):
        with self.assertRaisesRegex(UserError, "renews itself|cannot renew itself"):
            self.r1.renewed_registration_id = self.r3
        with self.assertRaisesRegex(UserError, "already renewed"):
            self.Reg.create(
                {
                    "name": "AR-DUP",
                    "company_id": self.company_a.id,
                    "registration_date": date(2027, 4, 1),
                    "renewed_registration_id": self.r1.id,
                }
            )

    def test_expiry_uses_mexico_city_date(self):
        reg = self.Reg.create(
            {
                "name": "B-2023-X",
                "company_id": self.company_b.id,
                "registration_date": date(2023, 5, 1),
            }
        )
        # 1 May 2026 03:00 UTC is still 30 April in Mexico City
        with freeze_time("2026-05-01 03:00:00"):
            reg._update_state()
            self.assertEqual(reg.state, "active")
        with freeze_time("2026-05-01 07:00:00"):
            reg._update_state()
            self.assertEqual(reg.state, "expired")


@tagged("post_install", "-at_install")
class TestOwedPeriods(LifecycleCase):
    def test_missed_period_flagged_and_filed_late(self):
        self.company_a.l10n_mx_icsoe_responsible_id = self.icsoe_manager
        self._contract("C-2025", date(2025, 6, 2))
        # The registration (2024-03-01) was cancelled on 2026-01-15: 2026-1 is owed
        # all the same, and the earlier periods too.
        self.registration.cancel_date = date(2026, 1, 15)
        with freeze_time("2026-06-01 18:00:00"):
            created = self.Filing._cron_generate_drafts().filtered(
                lambda f: f.company_id == self.company_a
            )
            owed = {(f.year, f.period) for f in created}
            self.assertEqual(
                owed,
                {
                    (2024, "1"),
                    (2024, "2"),
                    (2024, "3"),
                    (2025, "1"),
                    (2025, "2"),
                    (2025, "3"),
                    (2026, "1"),
                },
            )
            self.assertFalse(
                self.Filing._cron_generate_drafts().filtered(
                    lambda f: f.company_id == self.company_a
                )
            )
            missed = created.filtered(lambda f: (f.year, f.period) == (2025, "2"))
            self.assertTrue(missed.is_overdue)
            self.assertEqual(missed.contract_count, 1)
            warning = missed.activity_ids.filtered(
                lambda a: (
                    a.activity_type_id
                    == self.env.ref("mail.mail_activity_data_warning")
                )
            )
            self.assertEqual(len(warning), 1)
            self.assertIn("304-C", warning.note)
            self.assertIn("MXN", missed.missed_fine_text)
            self.assertIn(missed, self.Filing.search([("is_overdue", "=", True)]))
            # filed late like any other
            self._file(missed, datetime(2026, 6, 1, 17, 0))
            self.assertTrue(missed.is_late)
            self.assertIn(
                "after the legal deadline", "".join(missed.message_ids.mapped("body"))
            )

    def test_tracked_since_leaves_older_periods_alone(self):
        self.company_a.l10n_mx_icsoe_filings_since = date(2026, 1, 1)
        with freeze_time("2026-06-01 18:00:00"):
            created = self.Filing._cron_generate_drafts()
        self.assertEqual(
            {(f.year, f.period) for f in created if f.company_id == self.company_a},
            {(2026, "1")},
        )


@tagged("post_install", "-at_install")
class TestChain(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(freeze_time("2026-05-05 18:00:00"))
        cls.contract = cls._contract(cls, "C1", date(2026, 2, 10))

    def _filed_normal(self):
        return self._file(self._filing(2026, 1), datetime(2026, 5, 5, 17, 0))

    def test_void_of_correction_leaves_period_open_for_a_new_normal(self):
        normal = self._filed_normal()
        correction = self._new(normal.action_new_correction())
        self._file(correction, datetime(2026, 5, 5, 17, 0), "C1")
        void = self._new(correction.action_new_void())
        self._file(void, datetime(2026, 5, 5, 17, 0), "SE1")
        self.assertEqual(
            (normal.state, correction.state, void.state),
            ("replaced", "voided", "filed"),
        )
        self.assertFalse(self.Filing.search([("is_effective", "=", True)]))
        # neither the replaced original nor the voided Corrección blocks a new Normal
        self.assertTrue(normal.can_new_original)
        self.assertFalse(normal.can_complement)
        with self.assertRaisesRegex(UserError, "voided by a Sin efectos"):
            correction.action_new_correction()
        new = self._new(void.action_new_original())
        self.assertEqual((new.filing_type, new.contract_count), ("normal", 1))
        self._file(new, datetime(2026, 5, 5, 17, 0), "N2")
        self.assertTrue(new.is_effective)

    def test_correction_of_correction_and_void_of_original(self):
        normal = self._filed_normal()
        c1 = self._new(normal.action_new_correction())
        self._file(c1, datetime(2026, 5, 5, 17, 0), "C1")
        with self.assertRaisesRegex(
            UserError, "correct or void the informativa in effect"
        ):
            normal.action_new_void()
        c2 = self._new(c1.action_new_correction())
        self._file(c2, datetime(2026, 5, 5, 17, 0), "C2")
        self.assertEqual((c1.state, c2.is_effective), ("replaced", True))
        # a Normal while one is in effect is refused
        with self.assertRaisesRegex(UserError, "in effect"):
            self._filing(2026, 1)

    def test_limit_counts_only_filed_complementarias(self):
        self.company_a.l10n_mx_icsoe_max_complementary = 1
        normal = self._filed_normal()
        draft = self._new(normal.action_new_correction())
        self.assertEqual(normal.complementary_count, 0)  # a draft does not count
        draft.unlink()
        correction = self._new(normal.action_new_correction())
        self._file(correction, datetime(2026, 5, 5, 17, 0), "C1")
        correction.invalidate_recordset()
        self.assertEqual(correction.complementary_count, 1)
        self.assertFalse(correction.can_complement)
        with self.assertRaisesRegex(UserError, "limit of 1"):
            correction.action_new_void()

    def test_presentation_date_and_declared_count(self):
        filing = self._filing(2026, 1).with_user(self.icsoe_manager)
        filing.action_confirm()
        with self.assertRaisesRegex(UserError, "in the future"):
            filing._register_filed("N1", datetime(2026, 5, 7, 17, 0), PDF, "a.pdf")
        with self.assertRaisesRegex(UserError, "before 2026-05-01"):
            filing._register_filed("N1", datetime(2026, 4, 30, 17, 0), PDF, "a.pdf")
        self.assertEqual(filing.state, "confirmed")
        filing._register_filed(
            "N1", datetime(2026, 5, 5, 17, 0), PDF, "a.pdf", declared_count=2
        )
        self.assertFalse(filing.is_late)
        self.assertTrue(filing.declared_mismatch)
        self.assertIn(
            "IMSS acknowledged 2 contract(s)",
            "".join(filing.message_ids.mapped("body")),
        )


@tagged("post_install", "-at_install")
class TestWhatIsReported(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(freeze_time("2026-05-05 18:00:00"))
        mx = cls.env.ref("base.mx")
        cls.foreign = cls.env["res.partner"].create(
            {
                "name": "Acme Holdings LLC",
                "is_company": True,
                "country_id": cls.env.ref("base.us").id,
                "vat": "98-7654321",
                "l10n_mx_icsoe_foreign_resident": True,
                "email": "ops@acme.example.com",
                "mobile": "+1 512 555 0100",
            }
        )
        cls.individual = cls.env["res.partner"].create(
            {
                "name": "María López Hernández",
                "country_id": mx.id,
                "vat": make_rfc("LOHM800101AB"),
                "email": "maria@example.mx",
                "mobile": "4429876543",
            }
        )

    def test_foreign_client_alone_proposes_sin_informacion(self):
        self._contract("F1", date(2026, 2, 1), partner_id=self.foreign.id)
        filing = self._filing(2026, 1)
        self.assertEqual(filing.contract_count, 0)
        self.assertTrue(filing.propose_no_info)
        self.assertIn("F1", filing.info_message)
        self.assertIn("foreign resident", filing.info_message)
        filing.action_set_no_info()
        self.assertEqual(filing.error_count, 0, filing._checks_report())

    def test_foreign_mixed_with_mexican_and_individual_clients(self):
        self._contract("F1", date(2026, 2, 1), partner_id=self.foreign.id)
        self._contract("MX1", date(2026, 2, 2))
        self._contract("PF1", date(2026, 2, 3), partner_id=self.individual.id)
        filing = self._filing(2026, 1)
        self.assertEqual(
            set(filing.contract_line_ids.mapped("reference")), {"MX1", "PF1"}
        )
        individual = filing.contract_line_ids.filtered(lambda c: c.reference == "PF1")
        self.assertEqual(individual.client_person_type, "fisica")
        self.assertEqual(filing.error_count, 0, filing._checks_report())

    def test_client_mobile_must_be_a_mexican_number(self):
        self._contract("A1", date(2026, 3, 2))
        self.client.mobile = "+52 1 442 123 4567"  # the old mobile prefix
        filing = self._filing(2026, 1)
        self.assertIn(
            "not a valid Mexican phone number", filing.contract_line_ids.error_text
        )
        self.client.mobile = "442 123 4567"
        filing.action_generate()
        self.assertTrue(filing.contract_line_ids.is_ok, filing._checks_report())

    def test_draft_contract_is_warned_not_reported(self):
        self._contract("D1", date(2026, 3, 1), state="draft")
        self._contract("A1", date(2026, 3, 2))
        filing = self._filing(2026, 1)
        self.assertEqual(filing.contract_line_ids.mapped("reference"), ["A1"])
        self.assertIn("D1", filing.warning_message)
        self.assertIn("draft", filing.warning_message)
        self.assertGreaterEqual(filing.warning_count, 1)

    def test_late_start_worker_reported_and_without_workers_blocks(self):
        # signed on 28 April, workers start in May: they are reported
        contract = self._contract("LATE", date(2026, 4, 28), workers=self.workers[:0])
        self.env["l10n_mx_icsoe.contract.assignment"].create(
            {
                "contract_id": contract.id,
                "employee_id": self.workers[1].id,
                "date_from": date(2026, 5, 4),
            }
        )
        newcomer = self.env["hr.employee"].create(
            {
                "name": "Recién Llegado",
                "company_id": self.company_a.id,
                "ssnid": make_nss("1215901299"),
                "l10n_mx_curp": make_curp("RELL900101HDFCRL0"),
            }
        )
        self.Sbc.create(
            {"employee_id": newcomer.id, "date_from": date(2026, 5, 4), "amount": 310}
        )
        self.env["l10n_mx_icsoe.contract.assignment"].create(
            {
                "contract_id": contract.id,
                "employee_id": newcomer.id,
                "date_from": date(2026, 5, 4),
            }
        )
        self._contract("EMPTY", date(2026, 4, 29), workers=self.workers[:0])
        filing = self._filing(2026, 1)
        late = filing.contract_line_ids.filtered(lambda c: c.reference == "LATE")
        self.assertEqual(late.worker_count, 2)
        self.assertTrue(late.is_ok, late.error_text)
        new_line = late.worker_ids.filtered(lambda w: w.employee_id == newcomer)
        # no SBC by the end of the period: the first one after it
        self.assertEqual((new_line.sbc, new_line.sbc_date), (310.0, date(2026, 5, 4)))
        self.assertIn("first one registered after it", new_line.warning_text)
        empty = filing.contract_line_ids.filtered(lambda c: c.reference == "EMPTY")
        self.assertIn("no worker is assigned", empty.error_text)

    def test_contract_before_reform_never_reported(self):
        reg = self.Reg.create(
            {
                "name": "AR-2021",
                "company_id": self.company_a.id,
                "registration_date": date(2021, 3, 1),
                "service_ids": [Command.create({"folio": "1", "description": "Obra"})],
            }
        )
        self._contract("PRE", date(2021, 4, 20), repse_service_id=reg.service_ids.id)
        self._contract("POST", date(2021, 4, 26), repse_service_id=reg.service_ids.id)
        filing = self._filing(2021, 1)
        self.assertEqual(filing.contract_line_ids.mapped("reference"), ["POST"])
        self.assertIn("PRE", filing.info_message)
        self.assertIn("24 April 2021", filing.info_message)

    def test_contractor_data_required(self):
        self._contract("A1", date(2026, 3, 2))
        self.company_a.write(
            {"l10n_mx_icsoe_email": False, "email": False, "street": False}
        )
        filing = self._filing(2026, 1)
        self.assertIn("ICSOE Contact E-mail", filing.check_message)
        self.assertIn("fiscal address is incomplete (street)", filing.check_message)
        with self.assertRaisesRegex(UserError, "error"):
            filing.action_confirm()

    def test_registration_pdf_and_between_streets_warnings(self):
        self.client.write(
            {
                "l10n_mx_icsoe_other_address": True,
                "l10n_mx_icsoe_street": "Calle 5",
                "l10n_mx_icsoe_street_number": "10",
                "l10n_mx_icsoe_colony": "Centro",
                "l10n_mx_icsoe_zip": "76000",
                "l10n_mx_icsoe_city": "Querétaro",
                "l10n_mx_icsoe_state_id": self.env.ref("base.state_mx_qro").id,
            }
        )
        self._contract("A1", date(2026, 3, 2))
        filing = self._filing(2026, 1)
        line = filing.contract_line_ids
        self.assertIn("no STPS registration PDF", filing.warning_message)
        self.assertIn("entre calles", line.warning_text)
        self.client.l10n_mx_icsoe_between_streets = "Juárez y Morelos"
        self.registration.document = PDF
        filing.action_generate()
        self.assertFalse(filing.contract_line_ids.warning_text)
        self.assertFalse(filing.warning_message)
        self.assertEqual(
            filing.contract_line_ids.client_between_streets, "Juárez y Morelos"
        )

    def test_split_file_warning(self):
        self._contract("BIG", date(2026, 3, 2), workers=self.workers)
        small = dataclasses.replace(
            layouts.worker_layout(date(2026, 4, 30)), max_rows=2
        )
        with patch.object(layouts, "worker_layout", return_value=small):
            filing = self._filing(2026, 1)
        self.assertIn("split in several files", filing.contract_line_ids.warning_text)

    def test_worker_moved_to_another_company_keeps_filing_company_data(self):
        self._contract("A1", date(2026, 3, 2), workers=self.workers[:1])
        worker = self.workers[0]
        self.Sbc.create(
            {"employee_id": worker.id, "date_from": date(2026, 3, 1), "amount": 420}
        )
        worker.company_id = self.company_b
        self.env.flush_all()
        # company B records its own SBC for the same worker: A's filing ignores it
        self.Sbc.create(
            {"employee_id": worker.id, "date_from": date(2026, 4, 1), "amount": 999}
        )
        filing = self._filing(2026, 1)
        line = filing.worker_line_ids
        self.assertEqual(line.sbc, 420.0)
        self.assertIn("now belongs to another company", line.warning_text)
        self.assertTrue(line.is_ok)

    def test_control_characters_are_a_check_not_a_traceback(self):
        self._contract("CTRL", date(2026, 3, 2), object="Limpieza\x0b de planta")
        filing = self._filing(2026, 1)
        self.assertIn(
            "control characters (U+000B)", filing.contract_line_ids.error_text
        )
        with self.assertRaisesRegex(UserError, "error"):
            filing.action_confirm()


@tagged("post_install", "-at_install")
class TestDeadlinesFollowHolidays(LifecycleCase):
    def test_holiday_edit_moves_deadline_and_todo(self):
        self.company_a.l10n_mx_icsoe_responsible_id = self.icsoe_manager
        with freeze_time("2027-05-03 18:00:00"):
            filing = self._filing(2027, 1)
            self.assertEqual(filing.deadline, date(2027, 5, 17))
            todo = filing.activity_ids
            self.assertEqual(todo.date_deadline, date(2027, 5, 17))
            day = self.env["l10n_mx_icsoe.holiday"].create(
                {"date": date(2027, 5, 17), "name": "Día inhábil IMSS"}
            )
            self.assertEqual(filing.deadline, date(2027, 5, 18))
            self.assertEqual(todo.date_deadline, date(2027, 5, 18))
            day.unlink()
            self.assertEqual(filing.deadline, date(2027, 5, 17))
        self.assertEqual(
            self.env["l10n_mx_icsoe.holiday"]._missing_years([2027, 2031]), [2031]
        )


@tagged("post_install", "-at_install")
class TestGuard(LifecycleCase):
    """Every way into a filing from a client, at the ORM level."""

    def test_forged_create_is_refused(self):
        Filing = self.Filing.with_user(self.icsoe_user)
        vals = {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        for forged in (
            {"state": "filed", "imss_folio": "N999"},
            {"date_start": date(2000, 1, 1)},
            {"deadline": date(2030, 12, 31)},
            {"name": "Forged"},
            {"filing_type": "correction"},
        ):
            with (
                self.subTest(forged=forged),
                self.assertRaisesRegex(UserError, "created as a draft"),
            ):
                Filing.create({**vals, **forged})
        # a context default does not sneak a state in either
        filing = Filing.with_context(
            default_state="filed", default_imss_folio="X"
        ).create(vals)
        self.assertEqual((filing.state, filing.imss_folio), ("draft", False))

    def test_load_copy_dates_and_company(self):
        Filing = self.Filing.with_user(self.icsoe_user)
        with mute_logger("odoo.sql_db", "odoo.models"):
            result = Filing.load(
                ["year", "period", "state", "imss_folio"],
                [["2026", "1", "filed", "N9"]],
            )
        self.assertFalse(result["ids"])
        self.assertFalse(self.Filing.search([("imss_folio", "=", "N9")]))
        filing = Filing.create(
            {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        )
        with self.assertRaisesRegex(UserError, "cannot be duplicated"):
            filing.copy()
        for vals in (
            {"date_start": "2000-01-01", "date_end": "2030-12-31"},
            {"name": "x"},
            {"deadline": "2030-01-01"},
            {"filing_type": "void"},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "by hand"):
                filing.write(vals)
        self.assertEqual(filing.date_start, date(2026, 1, 1))
        with self.assertRaises(AccessError):
            filing.write({"company_id": self.company_b.id})
        filing.write({"filing_type": "no_info"})  # between originals, on a draft
        self.assertEqual(filing.filing_type, "no_info")


@tagged("post_install", "-at_install")
class TestScheduledWorkIsRobust(LifecycleCase):
    def test_one_failing_reminder_does_not_stop_the_others(self):
        (self.company_a | self.company_b).l10n_mx_icsoe_filings_since = date(2026, 1, 1)
        self.Reg.create(
            {
                "name": "AR-B",
                "company_id": self.company_b.id,
                "registration_date": date(2025, 6, 1),
            }
        )
        with freeze_time("2026-05-02 12:00:00"):
            drafts = self.Filing._cron_generate_drafts()
        self.assertLessEqual(self.company_a | self.company_b, drafts.company_id)
        original = type(self.Filing)._send_reminder

        def send(filing, days_left):
            if filing.company_id == self.company_a:
                raise ValueError("mail server down")
            return original(filing, days_left)

        with (
            freeze_time("2026-05-11 12:00:00"),
            patch.object(type(self.Filing), "_send_reminder", send),
            self.assertLogs(
                "odoo.addons.l10n_mx_icsoe.models.periodic_report", "ERROR"
            ),
        ):
            reminded = self.Filing._cron_send_reminders()
        self.assertIn(self.company_b, reminded.company_id)
        self.assertNotIn(self.company_a, reminded.company_id)

    def test_one_failing_registration_does_not_stop_the_alerts(self):
        other = self.Reg.create(
            {
                "name": "AR-B",
                "company_id": self.company_b.id,
                "registration_date": date(2024, 3, 1),
            }
        )
        original = type(self.Reg)._send_alerts

        def alerts(reg, today):
            if reg == self.registration:
                raise ValueError("boom")
            return original(reg, today)

        with (
            freeze_time("2026-12-01 18:00:00"),
            patch.object(type(self.Reg), "_send_alerts", alerts),
            self.assertLogs(
                "odoo.addons.l10n_mx_icsoe.models.filing_schedule", "ERROR"
            ),
        ):
            self.Reg._cron_update_state()
        self.assertTrue(other.renewal_alert_sent)
        self.assertFalse(self.registration.renewal_alert_sent)


@tagged("post_install", "-at_install")
class TestConcurrency(LifecycleCase):
    """Two users at once on one company and period (committed rows, two cursors)."""

    def test_second_user_gets_a_clear_message_not_a_serialization_error(self):
        main = self.env.ref("base.main_company")
        with self.registry.cursor() as cr_b, self.registry.cursor() as cr_c:
            env_b, env_c = self.env(cr=cr_b), self.env(cr=cr_c)
            filing = internal(env_b["l10n_mx_icsoe.filing"]).create(
                {"company_id": main.id, "year": 2030, "period": "1"}
            )
            cr_b.commit()
            try:
                # user B is generating it: his transaction holds the row
                env_b["l10n_mx_icsoe.filing"].browse(filing.id)._lock_for_work()
                mine = env_c["l10n_mx_icsoe.filing"].browse(filing.id)
                with self.assertRaisesRegex(UserError, "by someone else right now"):
                    mine.action_generate()
                with self.assertRaisesRegex(UserError, "by someone else right now"):
                    mine.action_check()
                cr_c.rollback()
            finally:
                cr_b.rollback()
                env_b["l10n_mx_icsoe.filing"].browse(filing.id).unlink()
                cr_b.commit()

    def test_database_keeps_one_original_per_period(self):
        first = self._filing(2026, 1)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            # what a second, concurrent create would insert: the chain check of
            # the other transaction could not see the first one
            self.env.cr.execute(
                """INSERT INTO l10n_mx_icsoe_filing
                   (company_id, year, period, filing_type, state, name)
                   VALUES (%s, 2026, '1', 'normal', 'draft', 'x')""",
                [first.company_id.id],
            )


@tagged("post_install", "-at_install")
class TestPhones(LifecycleCase):
    def test_contact_phone_stored_in_international_format(self):
        company = Form(self.company_a)
        company.l10n_mx_icsoe_phone = "442 200 0000"
        self.assertEqual(company.l10n_mx_icsoe_phone, "+52 442 200 0000")
