"""The exports and the acuse of a confirmed or filed informativa stay as they are.

Only the addon's own path (``internal()``) changes, moves or deletes them. Two
writes of Odoo's own leave them as they are and pass: the storage migration
(``force_storage()`` rewrites ``raw`` with the same content, and ``mimetype``)
and ``generate_access_token()`` (``access_token`` only).

The attachment that stores a protected binary field of a filing (the acuse) is
found by Odoo through ``res_model``/``res_id``/``res_field``: an attachment is
created on, or moved onto, such a field by the addon only, so no user file can
pass for the acuse.
"""

import base64

from odoo import api, models
from odoo.exceptions import UserError

from .filing import PROTECTED_FIELDS
from .guard import is_internal

FILING = "l10n_mx_icsoe.filing"
# Written without changing the file: a token to share it.
FREE_FIELDS = {"access_token"}
CONTENT_FIELDS = {"raw", "datas", "db_datas"}
SCALAR_TYPES = {"char", "text", "selection", "integer", "boolean", "float"}


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _l10n_mx_icsoe_frozen(self):
        """The attachments of ``self`` that are exports or acuse of a filing past draft."""
        on_filing = self.sudo().filtered(lambda a: a.res_model == FILING)
        if not on_filing:
            return on_filing
        filings = (
            self.env[FILING]
            .sudo()
            .search(
                [
                    ("id", "in", list(set(on_filing.mapped("res_id")))),
                    ("state", "!=", "draft"),
                ]
            )
        )
        filing_ids = set(filings.ids)
        exports = set(filings.export_attachment_ids.ids)
        return on_filing.filtered(
            lambda a: (
                a.res_id in filing_ids
                and (a.id in exports or a.res_field in PROTECTED_FIELDS)
            )
        )

    def _l10n_mx_icsoe_changed_fields(self, vals):
        """The fields of ``vals`` that would change one of ``self``."""
        changed = set()
        for fname, value in vals.items():
            if fname in FREE_FIELDS:
                continue
            field = self._fields.get(fname)
            for attachment in self:
                if fname in CONTENT_FIELDS:
                    new = base64.b64decode(value or b"") if fname == "datas" else value
                    if isinstance(new, str):
                        new = new.encode()
                    same = (new or b"") == (attachment.raw or b"")
                elif field is not None and field.type == "many2one":
                    same = (value or False) == attachment[fname].id
                elif field is not None and field.type in SCALAR_TYPES:
                    same = (value or False) == (attachment[fname] or False)
                else:
                    same = False
                if not same:
                    changed.add(fname)
                    break
        return changed

    def _l10n_mx_icsoe_refuse(self, frozen, deleting=False):
        filing = self.env[FILING].sudo().browse(frozen[0].res_id)
        if deleting:
            message = self.env._(
                "%(filing)s is %(state)s: its exports and acuse cannot be deleted. They "
                "are what was confirmed and filed; a change goes into a Corrección.",
                filing=filing.display_name,
                state=filing._state_label(),
            )
        else:
            message = self.env._(
                "%(filing)s is %(state)s: its exports and acuse cannot be changed or "
                "moved. They are what was confirmed and filed; a change goes into a "
                "Corrección.",
                filing=filing.display_name,
                state=filing._state_label(),
            )
        raise UserError(message)

    def _l10n_mx_icsoe_check_field_owner(self, targets):
        """Refuse to put an attachment on a protected binary field of a filing.

        ``targets`` is [(res_model, res_id, res_field)].
        """
        for res_model, res_id, res_field in targets:
            if res_model == FILING and res_field in PROTECTED_FIELDS:
                filing = self.env[FILING].sudo().browse(res_id)
                field = self.env[FILING]._fields[res_field]
                raise UserError(
                    self.env._(
                        "%(filing)s: a file cannot be attached as its %(field)s by hand; "
                        "the %(field)s is recorded by registering the informativa as "
                        "filed. Attach it to the chatter instead.",
                        filing=filing.display_name if filing.exists() else res_id,
                        field=field.get_description(self.env)["string"],
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if is_internal(self):
            return super().create(vals_list)
        context = self.env.context
        self._l10n_mx_icsoe_check_field_owner(
            (
                vals.get("res_model", context.get("default_res_model")),
                vals.get("res_id", context.get("default_res_id")),
                vals.get("res_field", context.get("default_res_field")),
            )
            for vals in vals_list
        )
        attachments = super().create(vals_list)
        # And on the records, whatever else gave them their values.
        attachments._l10n_mx_icsoe_check_field_owner(
            (a.res_model, a.res_id, a.res_field) for a in attachments.sudo()
        )
        return attachments

    def write(self, vals):
        if not is_internal(self):
            frozen = self._l10n_mx_icsoe_frozen()
            if frozen and frozen._l10n_mx_icsoe_changed_fields(vals):
                self._l10n_mx_icsoe_refuse(frozen)
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
                self._l10n_mx_icsoe_check_field_owner(targets)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_l10n_mx_icsoe_frozen(self):
        if is_internal(self):
            return
        frozen = self._l10n_mx_icsoe_frozen()
        if frozen:
            self._l10n_mx_icsoe_refuse(frozen, deleting=True)
