from odoo import api, models
from odoo.exceptions import UserError


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _l10n_mx_icsoe_check_frozen(self):
        """The exports and the acuse of a confirmed or filed informativa stay as they are."""
        ids = {
            a.res_id
            for a in self.sudo()
            if a.res_model == "l10n_mx_icsoe.filing"
            and (a.description == "l10n_mx_icsoe_export" or a.res_field == "acuse")
        }
        if not ids:
            return
        filings = self.env["l10n_mx_icsoe.filing"].sudo().browse(ids).exists()
        frozen = filings.filtered(lambda f: f.state != "draft")
        if frozen:
            raise UserError(
                self.env._(
                    "%(filing)s is %(state)s: its exports and acuse cannot be changed or "
                    "deleted.",
                    filing=frozen[0].display_name,
                    state=frozen[0]._state_label(),
                )
            )

    def write(self, vals):
        self._l10n_mx_icsoe_check_frozen()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_l10n_mx_icsoe_frozen(self):
        self._l10n_mx_icsoe_check_frozen()
