"""Audit trail: the chatter of confirmed and filed informativas stays as it is.

The messages of an informativa past draft (confirmed, filed, replaced, voided)
and their tracking values cannot be edited or deleted: not through the ORM or
RPC (``write``, ``unlink``), nor through the chatter's edit and delete
(``_message_update_content``). New messages can still be posted, by users and
by the addon. The superuser (``sudo()``: Odoo's own mail machinery, such as the
activity and mail gateway code) is not stopped. Drafts keep the standard
behaviour, and so does an informativa put back to draft.
"""

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

FILING = "l10n_mx_icsoe.filing"
# Each reader's own bookkeeping, not part of the message.
FREE_FIELDS = {"starred_partner_ids"}


def _refuse(env, filing_ids):
    filing = env[FILING].sudo().browse(filing_ids[0])
    raise UserError(
        env._(
            "%(filing)s is %(state)s: its chatter is its audit trail, so its messages "
            "and their tracked changes cannot be edited or deleted. Post a new note "
            "instead.",
            filing=filing.display_name,
            state=filing._state_label(),
        )
    )


def _frozen_filing_ids(env, query):
    env["mail.message"].flush_model(["model", "res_id"])
    env["mail.tracking.value"].flush_model(["mail_message_id"])
    env[FILING].flush_model(["state"])
    return [row[0] for row in env.execute_query(query)]


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _l10n_mx_icsoe_check_audit_trail(self):
        """Refuse if one of these messages belongs to an informativa past draft."""
        if self.env.su or not self.ids:
            return
        filing_ids = _frozen_filing_ids(
            self.env,
            SQL(
                """SELECT DISTINCT f.id
                     FROM mail_message m
                     JOIN l10n_mx_icsoe_filing f ON f.id = m.res_id
                    WHERE m.id IN %s AND m.model = %s AND f.state != 'draft'""",
                tuple(self.ids),
                FILING,
            ),
        )
        if filing_ids:
            _refuse(self.env, filing_ids)

    def write(self, vals):
        if not self.env.su and vals.keys() - FREE_FIELDS:
            self._l10n_mx_icsoe_check_audit_trail()
            if "model" in vals or "res_id" in vals:
                # Nor can a message be moved into a frozen chatter.
                targets = {
                    vals.get("res_id", message.res_id)
                    for message in self.sudo()
                    if vals.get("model", message.model) == FILING
                }
                frozen = (
                    self.env[FILING]
                    .sudo()
                    .search([("id", "in", list(targets)), ("state", "!=", "draft")])
                )
                if frozen:
                    _refuse(self.env, frozen.ids)
        return super().write(vals)

    def unlink(self):
        self._l10n_mx_icsoe_check_audit_trail()
        return super().unlink()


class MailTrackingValue(models.Model):
    _inherit = "mail.tracking.value"

    def _l10n_mx_icsoe_check_audit_trail(self):
        """Refuse if one of these values tracks a change of an informativa past draft."""
        if self.env.su or not self.ids:
            return
        filing_ids = _frozen_filing_ids(
            self.env,
            SQL(
                """SELECT DISTINCT f.id
                     FROM mail_tracking_value t
                     JOIN mail_message m ON m.id = t.mail_message_id
                     JOIN l10n_mx_icsoe_filing f ON f.id = m.res_id
                    WHERE t.id IN %s AND m.model = %s AND f.state != 'draft'""",
                tuple(self.ids),
                FILING,
            ),
        )
        if filing_ids:
            _refuse(self.env, filing_ids)

    @api.model_create_multi
    def create(self, vals_list):
        values = super().create(vals_list)
        values._l10n_mx_icsoe_check_audit_trail()
        return values

    def write(self, vals):
        self._l10n_mx_icsoe_check_audit_trail()
        res = super().write(vals)
        if "mail_message_id" in vals:  # nor moved onto a frozen message
            self._l10n_mx_icsoe_check_audit_trail()
        return res

    def unlink(self):
        self._l10n_mx_icsoe_check_audit_trail()
        return super().unlink()


class L10nMxIcsoeFiling(models.Model):
    _inherit = "l10n_mx_icsoe.filing"

    def _message_update_content(self, message, body, *args, **kwargs):
        # The chatter's edit and delete: the message arrives as sudo, the
        # informativa in the user's environment.
        if not self.env.su:
            frozen = self.filtered(lambda filing: filing.state != "draft")
            if frozen:
                _refuse(self.env, frozen.ids)
        return super()._message_update_content(message, body, *args, **kwargs)
