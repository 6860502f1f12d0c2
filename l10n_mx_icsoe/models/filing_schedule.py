"""Scheduling: drafts when each filing window opens, reminders, REPSE alerts."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date

from ..icsoe import periods
from .guard import internal

_logger = logging.getLogger(__name__)


def last_closed_period(day):
    """(year, period) of the cuatrimestre whose filing window is open or past on ``day``."""
    year, period = periods.period_of(day)
    return (year, period - 1) if period > 1 else (year - 1, 3)


def parse_reminder_days(text):
    """'7, 2' -> [7, 2] (invalid parts ignored, duplicates removed, largest first)."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if part.isdigit():
            days.add(int(part))
    return sorted(days, reverse=True)


class L10nMxIcsoeFiling(models.Model):
    _inherit = "l10n_mx_icsoe.filing"

    @api.model_create_multi
    def create(self, vals_list):
        filings = super().create(vals_list)
        filings.filtered(
            lambda f: f.filing_type in ("normal", "no_info")
        )._schedule_deadline_activity()
        return filings

    # ---------------------------------------------------------------- drafts

    missed_alert_sent = fields.Boolean(copy=False, readonly=True)
    missed_fine_text = fields.Char(
        string="Possible Fine",
        compute="_compute_missed_fine_text",
        help="LSS art. 304-A fr. XXII and 304-B fr. V: 500 to 2,000 UMA for not "
        "filing, or filing late, unless the filing is spontaneous (art. 304-C).",
    )

    @api.depends("deadline")
    def _compute_missed_fine_text(self):
        for filing in self:
            filing.missed_fine_text = (
                filing._fine_text() if filing.is_overdue else False
            )

    def _fine_text(self):
        uma = self.env["l10n_mx_icsoe.uma"]._daily_amount_on(self._today_mexico())
        if not uma:
            return self.env._("500 to 2,000 UMA (no UMA value in the table)")
        return self.env._(
            "500 to 2,000 UMA: MXN %(low)s to %(high)s (UMA %(uma)s)",
            low=f"{500 * uma:,.2f}",
            high=f"{2000 * uma:,.2f}",
            uma=f"{uma:,.2f}",
        )

    @api.model
    def _cron_generate_drafts(self):
        """Prepare the draft of every period a company owes that has no filing yet.

        Runs daily. A period is owed from the first REPSE registration on, when a
        registration of the company was valid on one of its days (even if it has
        lapsed or been cancelled since), once its filing window has opened (1 May,
        1 Sep, 1 Jan, Mexico City time); periods ending before the company's "ICSOE
        Tracked Since" date are left alone. A period with any filing (in progress,
        filed, voided...) is the user's to handle and gets nothing new. A period
        whose deadline has passed is *missed*: its draft gets an activity with the
        fine range. Each company runs in its own savepoint, so one failure is
        logged and the others go on.
        """
        today = self._today_mexico()
        Registration = self.env["l10n_mx_icsoe.repse.registration"].sudo()
        companies = Registration.with_context(active_test=False).search([]).company_id
        existing = {
            (company.id, year, period)
            for company, year, period in self.sudo()._read_group(
                [("company_id", "in", companies.ids)], ["company_id", "year", "period"]
            )
        }
        created = self.browse()
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    owed = Registration._chain_of(company).owed_periods(
                        today, company.l10n_mx_icsoe_filings_since or None
                    )
                    todo = [
                        (year, period)
                        for year, period in owed
                        if (company.id, year, str(period)) not in existing
                    ]
                    created |= self._prepare_drafts(company, todo)
            except Exception:
                _logger.exception(
                    "ICSOE: could not prepare the drafts of %s; the other companies "
                    "went on",
                    company.name,
                )
        self._cron_flag_missed()
        return created

    def _prepare_drafts(self, company, periods_):
        """Create and generate a draft per (year, period); flag those already missed."""
        created = self.browse()
        for year, period in periods_:
            filing = (
                self.with_company(company)
                .sudo()
                .create({"company_id": company.id, "year": year, "period": str(period)})
            )
            created |= filing
            filing = filing._with_responsible_lang()
            try:
                with self.env.cr.savepoint():
                    filing.action_generate()
                    if filing.propose_no_info:
                        filing.action_set_no_info()
            except Exception as error:
                _logger.exception(
                    "ICSOE: generation of %s for %s failed", filing.name, company.name
                )
                filing.message_post(
                    body=self.env._(
                        "Automatic generation failed: %(error)s. Generate it by hand "
                        "after fixing the cause.",
                        error=error,
                    )
                )
        created._flag_missed()
        return created

    def _flag_missed(self):
        """One activity per missed filing: past its deadline, nothing filed."""
        for filing in self.filtered(lambda f: f.is_overdue and not f.missed_alert_sent):
            filing = filing._with_responsible_lang()
            user = filing._responsible_user()
            message = filing.env._(
                "%(name)s was due on %(deadline)s and is not filed: possible fine of "
                "%(fine)s. Filing it now, before IMSS asks for it, is spontaneous and "
                "not fined (LSS art. 304-C).",
                name=filing.name,
                deadline=format_date(filing.env, filing.deadline),
                fine=filing._fine_text(),
            )
            if user:
                filing.with_context(mail_activity_quick_update=True).activity_schedule(
                    "mail.mail_activity_data_warning",
                    date_deadline=filing._today_mexico(),
                    summary=filing.env._("Missed: %(name)s", name=filing.name),
                    note=message,
                    user_id=user.id,
                )
            filing.message_post(body=message)
            internal(filing).missed_alert_sent = True

    @api.model
    def _cron_flag_missed(self):
        """Daily: flag the drafts and confirmed filings whose deadline just passed."""
        filings = self.search(
            [("is_overdue", "=", True), ("missed_alert_sent", "=", False)]
        )
        for company in filings.company_id:
            try:
                with self.env.cr.savepoint():
                    filings.filtered(
                        lambda f, c=company: f.company_id == c
                    )._flag_missed()
            except Exception:
                _logger.exception(
                    "ICSOE: could not flag the missed filings of %s", company.name
                )

    def _with_responsible_lang(self):
        """The filing as its responsible user reads it (cron and command runs)."""
        self.ensure_one()
        user = self._responsible_user()
        lang = (user and user.lang) or self.company_id.partner_id.lang
        return self.with_context(lang=lang) if lang else self

    def _responsible_user(self):
        self.ensure_one()
        return self.company_id.l10n_mx_icsoe_responsible_id or self.env.ref(
            "base.user_admin", raise_if_not_found=False
        )

    def _schedule_deadline_activity(self):
        for filing in self:
            user = filing._responsible_user()
            if not user:
                continue
            filing.with_context(mail_activity_quick_update=True).activity_schedule(
                "l10n_mx_icsoe.mail_activity_filing_deadline",
                date_deadline=filing.deadline,
                summary=self.env._("File %(name)s", name=filing.name),
                note=self.env._(
                    "Legal deadline %(deadline)s. Review the checks, confirm, file it in "
                    "the IMSS portal and register the folio and acuse.",
                    deadline=format_date(self.env, filing.deadline),
                ),
                user_id=user.id,
            )

    # ---------------------------------------------------------------- reminders

    @api.model
    def _cron_send_reminders(self):
        """Remind the responsible user N days before the deadline (per company)."""
        today = self._today_mexico()
        filings = self.search(
            [
                ("state", "in", ("draft", "confirmed")),
                ("filing_type", "in", ("normal", "no_info")),
                ("deadline", ">=", today),
            ]
        )
        reminded = self.browse()
        for filing in filings:
            days_left = (filing.deadline - today).days
            if days_left not in parse_reminder_days(
                filing.company_id.l10n_mx_icsoe_reminder_days
            ):
                continue
            try:
                with self.env.cr.savepoint():
                    if filing._send_reminder(days_left):
                        reminded |= filing
            except Exception:
                _logger.exception(
                    "ICSOE: could not remind %s of %s; the other companies went on",
                    filing.name,
                    filing.company_id.name,
                )
        return reminded

    def _send_reminder(self, days_left):
        self.ensure_one()
        filing = self._with_responsible_lang()
        user = filing._responsible_user()
        if user:
            summary = filing.env._(
                "%(name)s is due in %(days)s day(s)", name=filing.name, days=days_left
            )
            filing.with_context(mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=filing.deadline,
                summary=summary,
                user_id=user.id,
            )
            filing.message_post(
                body=filing.env._(
                    "Reminder: %(name)s must be filed by %(deadline)s (%(days)s day(s) left).",
                    name=filing.name,
                    deadline=format_date(filing.env, filing.deadline),
                    days=days_left,
                ),
                partner_ids=user.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return bool(user)

    def _register_filed(self, folio, filed_datetime, acuse, acuse_filename, **kwargs):
        res = super()._register_filed(
            folio, filed_datetime, acuse, acuse_filename, **kwargs
        )
        # Filed: nothing left to chase.
        self.activity_ids.action_feedback(feedback=self.env._("Filed."))
        return res


class L10nMxIcsoeRepseRegistration(models.Model):
    _inherit = "l10n_mx_icsoe.repse.registration"

    renewal_alert_sent = fields.Boolean(copy=False, readonly=True)
    expiry_alert_sent = fields.Boolean(copy=False, readonly=True)

    @api.model
    def _cron_update_state(self):
        """Daily: bring states up to date and alert when renewal opens or expiry passes.

        Each registration runs in its own savepoint: one failure is logged and the
        others go on. Dates are read in Mexico City.
        """
        today = self._today()
        for reg in self.search([]):
            try:
                with self.env.cr.savepoint():
                    reg._update_state()
                    reg._send_alerts(today)
            except Exception:
                _logger.exception(
                    "ICSOE: could not update REPSE registration %s of %s",
                    reg.name,
                    reg.company_id.name,
                )

    def _send_alerts(self, today):
        self.ensure_one()
        reg = self
        if (
            reg.state == "active"
            and not reg.renewal_alert_sent
            and reg.renewal_date
            and reg.renewal_date <= today
        ):
            reg._alert(
                self.env._(
                    "Renew REPSE registration %(name)s: the renewal window is open until "
                    "%(expiry)s (3 months before expiry).",
                    name=reg.name,
                    expiry=format_date(self.env, reg.expiry_date),
                ),
                reg.expiry_date - timedelta(days=1),
            )
            reg.renewal_alert_sent = True
        if reg.state == "expired" and not reg.expiry_alert_sent:
            reg._alert(
                self.env._(
                    "REPSE registration %(name)s expired on %(expiry)s: contracts that "
                    "start from then on cannot be reported until a renewed registration "
                    "is recorded. Periods in which it was valid can still be filed.",
                    name=reg.name,
                    expiry=format_date(self.env, reg.expiry_date),
                ),
                today,
            )
            reg.expiry_alert_sent = True

    def _alert(self, message, deadline):
        self.ensure_one()
        user = self.company_id.l10n_mx_icsoe_responsible_id or self.env.ref(
            "base.user_admin", raise_if_not_found=False
        )
        if user:
            self.with_context(mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_warning",
                date_deadline=deadline,
                summary=message[:80],
                note=message,
                user_id=user.id,
            )
        self.message_post(body=message, partner_ids=user.partner_id.ids if user else [])
