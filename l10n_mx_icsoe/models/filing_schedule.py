"""Scheduling: drafts when each filing window opens, reminders, REPSE alerts."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date

from ..icsoe import periods
from .periodic_report import parse_reminder_days  # noqa: F401 (imported from here)

_logger = logging.getLogger(__name__)


def last_closed_period(day):
    """(year, period) of the cuatrimestre whose filing window is open or past on ``day``."""
    year, period = periods.period_of(day)
    return (year, period - 1) if period > 1 else (year - 1, 3)


# The informativa is one model split by concern over files (filing, _generate,
# _check, _export, _schedule), as style.md allows: each file stays readable.
class L10nMxIcsoeFiling(models.Model):
    _inherit = "l10n_mx_icsoe.filing"  # pylint: disable=consider-merging-classes-inherited

    _report_fine_source = "LSS art. 304-A fr. XXII, 304-B fr. V; 304-C"

    def _generate_new_draft(self):
        """The daily job's draft: generated, and 'Sin información' when nothing started."""
        self.action_generate()
        if self.propose_no_info:
            self.action_set_no_info()

    def _deadline_note(self):
        return self.env._(
            "Legal deadline %(deadline)s. Review the checks, confirm, file it in "
            "the IMSS portal and register the folio and acuse.",
            deadline=format_date(self.env, self.deadline),
        )

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
        # Every registration, whatever its state: a company has a handful.
        for reg in self.search([]):  # pylint: disable=no-search-all
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
        user = self.company_id.l10n_mx_icsoe_responsible_id or self.env.ref(
            "base.user_admin", raise_if_not_found=False
        )
        lang = (user and user.lang) or self.company_id.partner_id.lang
        # Written in the language of the user who reads them.
        reg = self.with_context(lang=lang) if lang else self
        if (
            reg.state == "active"
            and not reg.renewal_alert_sent
            and reg.renewal_date
            and reg.renewal_date <= today
        ):
            reg._alert(
                reg.env._(
                    "Renew REPSE registration %(name)s: the renewal window is open until "
                    "%(expiry)s (3 months before expiry).",
                    name=reg.name,
                    expiry=format_date(reg.env, reg.expiry_date),
                ),
                reg.expiry_date - timedelta(days=1),
            )
            reg.renewal_alert_sent = True
        if reg.state == "expired" and not reg.expiry_alert_sent:
            reg._alert(
                reg.env._(
                    "REPSE registration %(name)s expired on %(expiry)s: contracts that "
                    "start from then on cannot be reported until a renewed registration "
                    "is recorded. Periods in which it was valid can still be filed.",
                    name=reg.name,
                    expiry=format_date(reg.env, reg.expiry_date),
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
