"""Scheduling: drafts when each filing window opens, reminders, REPSE alerts."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date

from ..icsoe import periods

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

    @api.model
    def _cron_generate_drafts(self):
        """Create and generate the draft of the cuatrimestre that just closed.

        Runs daily; acts for every company with an active REPSE registration
        once the window of the last closed period has opened (1 May, 1 Sep,
        1 Jan, Mexico City time). Idempotent: a company that already has an
        original filing (Normal or Sin información, not voided) for that period
        gets nothing new. Each company runs in its own savepoint, so one
        failure is logged and posted on its filing and the others go on.
        """
        today = self._today_mexico()
        year, period = last_closed_period(today)
        companies = (
            self.env["l10n_mx_icsoe.repse.registration"]
            .search([("state", "=", "active")])
            .company_id
        )
        existing = self.search(
            [
                ("company_id", "in", companies.ids),
                ("year", "=", year),
                ("period", "=", str(period)),
                ("filing_type", "in", ("normal", "no_info")),
                ("state", "!=", "voided"),
            ]
        ).company_id
        created = self.browse()
        for company in companies - existing:
            filing = self.browse()
            try:
                with self.env.cr.savepoint():
                    filing = (
                        self.with_company(company)
                        .sudo()
                        .create(
                            {
                                "company_id": company.id,
                                "year": year,
                                "period": str(period),
                            }
                        )
                    )
            except Exception:
                _logger.exception(
                    "ICSOE: could not create the %s-%s draft of %s",
                    year,
                    period,
                    company.name,
                )
                continue
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
        return created

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
            user = filing._responsible_user()
            if not user:
                continue
            summary = self.env._(
                "%(name)s is due in %(days)s day(s)", name=filing.name, days=days_left
            )
            filing.with_context(mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=filing.deadline,
                summary=summary,
                user_id=user.id,
            )
            filing.message_post(
                body=self.env._(
                    "Reminder: %(name)s must be filed by %(deadline)s (%(days)s day(s) left).",
                    name=filing.name,
                    deadline=format_date(self.env, filing.deadline),
                    days=days_left,
                ),
                partner_ids=user.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
            reminded |= filing
        return reminded

    def _register_filed(self, folio, filed_datetime, acuse, acuse_filename):
        res = super()._register_filed(folio, filed_datetime, acuse, acuse_filename)
        # Filed: nothing left to chase.
        self.activity_ids.action_feedback(feedback=self.env._("Filed."))
        return res


class L10nMxIcsoeRepseRegistration(models.Model):
    _inherit = "l10n_mx_icsoe.repse.registration"

    renewal_alert_sent = fields.Boolean(copy=False, readonly=True)
    expiry_alert_sent = fields.Boolean(copy=False, readonly=True)

    @api.model
    def _cron_update_state(self):
        """Daily: expire registrations and alert when renewal opens or expiry passes."""
        today = fields.Date.context_today(self)
        regs = self.search([("state", "=", "active")])
        for reg in regs.filtered(
            lambda r: (
                not r.renewal_alert_sent and r.renewal_date and r.renewal_date <= today
            )
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
        regs._update_expired_state()
        for reg in regs.filtered(
            lambda r: r.state == "expired" and not r.expiry_alert_sent
        ):
            reg._alert(
                self.env._(
                    "REPSE registration %(name)s expired on %(expiry)s: contracts of its "
                    "services cannot be reported until it is renewed.",
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
