from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.l10n_mx_icsoe.models.filing_schedule import (
    last_closed_period,
    parse_reminder_days,
)

from .common import IcsoeCase


@tagged("post_install", "-at_install")
class TestSchedule(IcsoeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.l10n_mx_icsoe_responsible_id = cls.icsoe_manager
        # Earlier periods were filed outside Odoo (the whole history: test_lifecycle).
        (cls.company_a | cls.company_b).l10n_mx_icsoe_filings_since = date(2026, 1, 1)
        cls.env["l10n_mx_icsoe.repse.registration"].create(
            {
                "name": "AR-B",
                "company_id": cls.company_b.id,
                "registration_date": date(2025, 6, 1),
                "service_ids": [
                    Command.create({"folio": "20001", "description": "Obra"})
                ],
            }
        )
        w0 = cls.workers[0]
        cls.env["l10n_mx_icsoe.sbc"].create(
            {"employee_id": w0.id, "date_from": date(2026, 1, 1), "amount": 320}
        )
        cls.contract = cls.env["l10n_mx_icsoe.contract"].create(
            cls._contract_vals(
                name="S1",
                date_start=date(2026, 2, 2),
                assignment_ids=[
                    Command.create(
                        {"employee_id": w0.id, "date_from": date(2026, 2, 2)}
                    )
                ],
            )
        )
        cls.Filing = cls.env["l10n_mx_icsoe.filing"]

    def _drafts(self, company=None):
        domain = [
            ("company_id", "in", (company or (self.company_a | self.company_b)).ids)
        ]
        return self.Filing.search(domain)

    def test_last_closed_period_and_reminder_days(self):
        self.assertEqual(last_closed_period(date(2026, 5, 1)), (2026, 1))
        self.assertEqual(last_closed_period(date(2026, 8, 31)), (2026, 1))
        self.assertEqual(last_closed_period(date(2026, 9, 1)), (2026, 2))
        self.assertEqual(last_closed_period(date(2027, 1, 1)), (2026, 3))
        self.assertEqual(last_closed_period(date(2027, 4, 30)), (2026, 3))
        self.assertEqual(parse_reminder_days("7, 2,x,7"), [7, 2])

    def test_drafts_once_per_company_and_period(self):
        # 1 May 2026 02:00 in Mexico City
        with freeze_time("2026-05-01 08:00:00"):
            created = self.Filing._cron_generate_drafts()
            self.assertLessEqual(self.company_a | self.company_b, created.company_id)
            again = self.Filing._cron_generate_drafts()
        self.assertFalse(again)
        filing_a = self._drafts(self.company_a)
        self.assertEqual((filing_a.year, filing_a.period), (2026, "1"))
        self.assertEqual(filing_a.filing_type, "normal")
        self.assertEqual(filing_a.contract_line_ids.contract_id, self.contract)
        filing_b = self._drafts(self.company_b)
        self.assertEqual(filing_b.filing_type, "no_info")  # nothing started: proposed
        self.assertEqual(filing_b.error_count, 0)

    def test_window_uses_mexico_city_time(self):
        # 1 Sep 05:00 UTC is still 31 Aug in Mexico City: period 1's window
        with freeze_time("2026-09-01 05:00:00"):
            self.Filing._cron_generate_drafts()
        self.assertEqual(set(self._drafts().mapped("period")), {"1"})
        with freeze_time("2026-09-01 07:00:00"):
            created = self.Filing._cron_generate_drafts()
        self.assertEqual(set(created.mapped("period")), {"2"})
        self.assertLessEqual(self.company_a | self.company_b, created.company_id)
        with freeze_time("2027-01-01 07:00:00"):
            created = self.Filing._cron_generate_drafts()
        self.assertEqual({(f.year, f.period) for f in created}, {(2026, "3")})

    def test_overview(self):
        action = self.env.ref("l10n_mx_icsoe.action_icsoe_overview")
        companies = self.env["res.company"].search(safe_eval(action.domain))
        self.assertIn(self.company_a, companies)
        with freeze_time("2026-05-10 12:00:00"):
            self.Filing._cron_generate_drafts()
            company = self.company_a
            company.invalidate_recordset()
            self.assertEqual(company.l10n_mx_icsoe_due_period, "2026-1")
            self.assertEqual(company.l10n_mx_icsoe_current_period, "2026-2")
            self.assertEqual(company.l10n_mx_icsoe_due_state, "draft")
            self.assertEqual(company.l10n_mx_icsoe_due_deadline, date(2026, 5, 18))
            self.assertEqual(company.l10n_mx_icsoe_days_left, 8)
            self.assertEqual(company.l10n_mx_icsoe_repse_expiry, date(2027, 3, 1))
        with freeze_time("2026-05-20 12:00:00"):
            company.invalidate_recordset()
            self.assertEqual(company.l10n_mx_icsoe_overdue_count, 1)

    def test_manual_draft_is_respected(self):
        manual = self.Filing.create(
            {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        )
        with freeze_time("2026-05-02 12:00:00"):
            created = self.Filing._cron_generate_drafts()
        self.assertIn(self.company_b, created.company_id)
        self.assertNotIn(self.company_a, created.company_id)
        self.assertEqual(self._drafts(self.company_a), manual)

    def test_activity_due_on_rolled_deadline(self):
        with freeze_time("2026-05-01 12:00:00"):
            self.Filing._cron_generate_drafts()
        filing = self._drafts(self.company_a)
        activity = filing.activity_ids
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("l10n_mx_icsoe.mail_activity_filing_deadline"),
        )
        self.assertEqual(
            activity.date_deadline, date(2026, 5, 18)
        )  # 17 May is a Sunday
        self.assertEqual(activity.user_id, self.icsoe_manager)

    def test_reminders_stop_after_filing(self):
        with freeze_time("2026-05-01 12:00:00"):
            self.Filing._cron_generate_drafts()
        filing = self._drafts(self.company_a)
        with freeze_time("2026-05-10 12:00:00"):  # 8 days left: no reminder day
            self.assertFalse(self.Filing._cron_send_reminders() & filing)
        with freeze_time("2026-05-11 12:00:00"):  # 7 days left
            self.assertIn(filing, self.Filing._cron_send_reminders())
        self.assertIn("7 day(s)", filing.message_ids[0].body)
        with freeze_time("2026-05-12 12:00:00"):
            filing.with_user(self.icsoe_manager).action_confirm()
            filing.with_user(self.icsoe_manager)._register_filed(
                "N1", "2026-05-12 18:00:00", b"JVBERi0=", "acuse.pdf"
            )
        self.assertFalse(filing.activity_ids)
        with freeze_time("2026-05-16 12:00:00"):  # 2 days left, but filed
            self.assertNotIn(filing, self.Filing._cron_send_reminders())

    def test_renewal_and_expiry_alerts(self):
        reg = self.registration  # 2024-03-01: renewal 2026-12-01, expiry 2027-03-01
        Reg = self.env["l10n_mx_icsoe.repse.registration"]
        with freeze_time("2026-11-30 18:00:00"):
            Reg._cron_update_state()
        self.assertFalse(reg.activity_ids)
        with freeze_time("2026-12-01 18:00:00"):
            Reg._cron_update_state()
            Reg._cron_update_state()
        self.assertEqual(len(reg.activity_ids), 1)
        self.assertIn("renewal window is open", reg.activity_ids.note)
        self.assertEqual(reg.state, "active")
        with freeze_time("2027-03-01 18:00:00"):
            Reg._cron_update_state()
        self.assertEqual(reg.state, "expired")
        self.assertEqual(len(reg.activity_ids), 2)
        self.assertIn("expired", reg.message_ids[0].body)

    def test_one_broken_company_does_not_stop_the_run(self):
        original = type(self.Filing).action_generate

        def generate(filings):
            if filings.company_id == self.company_a:
                raise ValueError("boom")
            return original(filings)

        with (
            freeze_time("2026-05-01 12:00:00"),
            patch.object(type(self.Filing), "action_generate", generate),
            self.assertLogs(
                "odoo.addons.l10n_mx_icsoe.models.periodic_report", "ERROR"
            ),
        ):
            created = self.Filing._cron_generate_drafts()
        self.assertLessEqual(self.company_a | self.company_b, created.company_id)
        broken = self._drafts(self.company_a)
        self.assertFalse(broken.generated_at)
        self.assertIn("boom", broken.message_ids[0].body)
        self.assertTrue(self._drafts(self.company_b).generated_at)
