"""Audit trail: the chatter of confirmed and filed reports stays as it is.

The messages of a report (ICSOE informativa, SISUB) past draft (confirmed, filed, replaced, voided)
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

from .hr_employee import EMPLOYEE, hides_hr_file

REPORT_MIXIN = "l10n_mx_icsoe.periodic.report"
# Each reader's own bookkeeping, not part of the message.
FREE_FIELDS = {"starred_partner_ids"}


def report_models(env):
    """The cuatrimestral reports (ICSOE informativa, SISUB): their chatter is kept."""
    return [
        env[name]
        for name in env.registry.descendants([REPORT_MIXIN], "_inherit")
        if not env[name]._abstract
    ]


def refuse_frozen_chatter(report):
    raise UserError(
        report.env._(
            "%(report)s is %(state)s: its chatter is its audit trail, so its messages "
            "and their tracked changes cannot be edited or deleted. Post a new note "
            "instead.",
            report=report.display_name,
            state=report._state_label(),
        )
    )


def _check_frozen(env, ids, via_tracking):
    """Refuse when one of these messages (or tracking values) is of a report past draft."""
    env["mail.message"].flush_model(["model", "res_id"])
    env["mail.tracking.value"].flush_model(["mail_message_id"])
    for model in report_models(env):
        model.flush_model(["state"])
        rows = env.execute_query(
            SQL(
                """SELECT r.id
                     FROM %(source)s
                     JOIN %(table)s r ON r.id = m.res_id
                    WHERE %(key)s IN %(ids)s AND m.model = %(model)s
                      AND r.state != 'draft'
                    LIMIT 1""",
                source=SQL(
                    "mail_tracking_value t JOIN mail_message m ON m.id = t.mail_message_id"
                    if via_tracking
                    else "mail_message m"
                ),
                table=SQL.identifier(model._table),
                key=SQL("t.id" if via_tracking else "m.id"),
                ids=tuple(ids),
                model=model._name,
            )
        )
        if rows:
            refuse_frozen_chatter(model.sudo().browse(rows[0][0]))


class MailMessage(models.Model):
    _inherit = "mail.message"

    # ---------------------------------------------------------------- workers' chatter
    # Messages on workers: not for ICSOE users who are not HR officers. What Odoo
    # grants through the worker (the document) is withdrawn; a message the user
    # wrote or was sent stays readable, as anywhere else.

    @api.model
    def _find_allowed_doc_ids(self, model_ids):
        # search(): the messages found through their document only
        if hides_hr_file(self.env) and EMPLOYEE in model_ids:
            model_ids = {m: ids for m, ids in model_ids.items() if m != EMPLOYEE}
        return super()._find_allowed_doc_ids(model_ids)

    def _get_forbidden_access(self, operation):
        forbidden = super()._get_forbidden_access(operation)
        rest = self - forbidden
        if not rest or not hides_hr_file(self.env):
            return forbidden
        self.flush_recordset(["model", "author_id", "create_uid", "partner_ids"])
        self.env["mail.notification"].flush_model(["mail_message_id", "res_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT m.id, m.author_id = %(pid)s OR m.create_uid = %(uid)s,
                          m.author_id = %(pid)s
                          OR EXISTS(SELECT 1 FROM mail_message_res_partner_rel r
                                     WHERE r.mail_message_id = m.id
                                       AND r.res_partner_id = %(pid)s)
                          OR EXISTS(SELECT 1 FROM mail_notification n
                                     WHERE n.mail_message_id = m.id
                                       AND n.res_partner_id = %(pid)s)
                     FROM mail_message m
                    WHERE m.id IN %(ids)s AND m.model = %(model)s""",
                pid=self.env.user.partner_id.id,
                uid=self.env.uid,
                ids=tuple(rest.ids),
                model=EMPLOYEE,
            )
        )
        # read: the author or creator, or a recipient; write: the author or a
        # recipient; create and unlink on a worker's chatter: never.
        if operation == "read":
            allowed = {mid for mid, own, sent in rows if own or sent}
        elif operation == "write":
            allowed = {mid for mid, _own, sent in rows if sent}
        else:
            allowed = set()
        return forbidden + self.browse(
            mid for mid, *_rest in rows if mid not in allowed
        )

    # ---------------------------------------------------------------- audit trail

    def _l10n_mx_icsoe_check_audit_trail(self):
        """Refuse if one of these messages belongs to a report past draft."""
        if self.env.su or not self.ids:
            return
        _check_frozen(self.env, self.ids, via_tracking=False)

    def write(self, vals):
        if not self.env.su and vals.keys() - FREE_FIELDS:
            self._l10n_mx_icsoe_check_audit_trail()
            if "model" in vals or "res_id" in vals:
                # Nor can a message be moved into a frozen chatter.
                for model in report_models(self.env):
                    targets = {
                        vals.get("res_id", message.res_id)
                        for message in self.sudo()
                        if vals.get("model", message.model) == model._name
                    }
                    frozen = model.sudo().search(
                        [("id", "in", list(targets)), ("state", "!=", "draft")],
                        limit=1,
                    )
                    if frozen:
                        refuse_frozen_chatter(frozen)
        return super().write(vals)

    def unlink(self):
        self._l10n_mx_icsoe_check_audit_trail()
        return super().unlink()


class MailTrackingValue(models.Model):
    _inherit = "mail.tracking.value"

    def _l10n_mx_icsoe_check_audit_trail(self):
        """Refuse if one of these values tracks a change of a report past draft."""
        if self.env.su or not self.ids:
            return
        _check_frozen(self.env, self.ids, via_tracking=True)

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
