"""The exports and acuses of a SISUB report past draft stay as they are.

As for the ICSOE informativa (``ir_attachment.py``): only the addon's own path
(``internal()``) changes, moves or deletes them, and no user file can be put on
a protected binary field of a report (acuse, acceptance acuse, error file).
"""

from odoo import api, models
from odoo.exceptions import UserError

from .guard import is_internal
from .ir_attachment import FREE_FIELDS
from .sisub import PROTECTED_FIELDS

SISUB = "l10n_mx_icsoe.sisub"


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _l10n_mx_icsoe_sisub_frozen(self):
        """The attachments of ``self`` that are exports or acuses of a SISUB past draft."""
        on_report = self.sudo().filtered(lambda a: a.res_model == SISUB)
        if not on_report:
            return on_report
        reports = (
            self.env[SISUB]
            .sudo()
            .search(
                [
                    ("id", "in", list(set(on_report.mapped("res_id")))),
                    ("state", "!=", "draft"),
                ]
            )
        )
        report_ids = set(reports.ids)
        exports = set(reports.export_attachment_ids.ids)
        return on_report.filtered(
            lambda a: (
                a.res_id in report_ids
                and (a.id in exports or a.res_field in PROTECTED_FIELDS)
            )
        )

    def _l10n_mx_icsoe_sisub_refuse(self, frozen, deleting=False):
        report = self.env[SISUB].sudo().browse(frozen[0].res_id)
        raise UserError(
            self.env._(
                "%(report)s is %(state)s: its exports and acuses cannot be %(what)s. "
                "They are what was confirmed and filed; a change goes into a "
                "Complementario.",
                report=report.display_name,
                state=report._state_label(),
                what=self.env._("deleted")
                if deleting
                else self.env._("changed or moved"),
            )
        )

    def _l10n_mx_icsoe_sisub_check_owner(self, targets):
        for res_model, res_id, res_field in targets:
            if res_model == SISUB and res_field in PROTECTED_FIELDS:
                report = self.env[SISUB].sudo().browse(res_id)
                field = self.env[SISUB]._fields[res_field]
                raise UserError(
                    self.env._(
                        "%(report)s: a file cannot be attached as its %(field)s by hand; "
                        "it is recorded by the report's buttons (Register presentation, "
                        "Record INFONAVIT answer). Attach it to the chatter instead.",
                        report=report.display_name if report.exists() else res_id,
                        field=field.get_description(self.env)["string"],
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if is_internal(self):
            return super().create(vals_list)
        context = self.env.context
        self._l10n_mx_icsoe_sisub_check_owner(
            (
                vals.get("res_model", context.get("default_res_model")),
                vals.get("res_id", context.get("default_res_id")),
                vals.get("res_field", context.get("default_res_field")),
            )
            for vals in vals_list
        )
        attachments = super().create(vals_list)
        attachments._l10n_mx_icsoe_sisub_check_owner(
            (a.res_model, a.res_id, a.res_field) for a in attachments.sudo()
        )
        return attachments

    def write(self, vals):
        if not is_internal(self):
            frozen = self._l10n_mx_icsoe_sisub_frozen()
            if frozen and frozen._l10n_mx_icsoe_changed_fields(
                {k: v for k, v in vals.items() if k not in FREE_FIELDS}
            ):
                self._l10n_mx_icsoe_sisub_refuse(frozen)
            if vals.keys() & {"res_model", "res_id", "res_field"}:
                targets = set()
                for attachment in self.sudo():
                    current = (
                        attachment.res_model,
                        attachment.res_id,
                        attachment.res_field,
                    )
                    target = (
                        vals.get("res_model", current[0]),
                        vals.get("res_id", current[1]),
                        vals.get("res_field", current[2]),
                    )
                    if target != current:
                        targets.add(target)
                self._l10n_mx_icsoe_sisub_check_owner(targets)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_l10n_mx_icsoe_sisub_frozen(self):
        if is_internal(self):
            return
        frozen = self._l10n_mx_icsoe_sisub_frozen()
        if frozen:
            self._l10n_mx_icsoe_sisub_refuse(frozen, deleting=True)
