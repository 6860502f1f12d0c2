"""The exports and acuses of a confirmed or filed report stay as they are.

Every cuatrimestral report (ICSOE informativa, SISUB) is covered the same way.

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
from odoo.tools import SQL

from .guard import is_internal
from .hr_employee import EMPLOYEE, _hr_file_error, hides_hr_file
from .mail_message import report_models

# Written without changing the file: a token to share it.
FREE_FIELDS = {"access_token"}
CONTENT_FIELDS = {"raw", "datas", "db_datas"}
SCALAR_TYPES = {"char", "text", "selection", "integer", "boolean", "float"}


def _protected_binary_fields(model):
    """The report's binary fields only its buttons fill (acuse, answer files)."""
    return {
        name
        for name in model._report_protected_fields
        if name in model._fields and model._fields[name].type == "binary"
    }


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    # ---------------------------------------------------------------- workers' files
    # Attachments of workers: not for ICSOE users who are not HR officers.

    @api.model
    def check(self, mode, values=None):
        res = super().check(mode, values=values)
        if not hides_hr_file(self.env):
            return res
        if values and values.get("res_model") == EMPLOYEE:
            raise _hr_file_error(self.env)
        if self:
            self.flush_model(["res_model"])
            rows = self.env.execute_query(
                SQL(
                    "SELECT 1 FROM ir_attachment WHERE id IN %s AND res_model = %s "
                    "LIMIT 1",
                    tuple(self.ids),
                    EMPLOYEE,
                )
            )
            if rows:
                raise _hr_file_error(self.env)
        return res

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Reading attachments goes through here too (fetch searches the ids).
        if hides_hr_file(self.env):
            domain = [("res_model", "!=", EMPLOYEE), *domain]
        return super()._search(domain, offset, limit, order)

    # ---------------------------------------------------------------- frozen reports

    def _l10n_mx_icsoe_frozen(self):
        """The attachments of ``self`` that are exports or acuses of a report past draft."""
        frozen = self.browse()
        for model in report_models(self.env):
            on_report = self.sudo().filtered(lambda a, m=model: a.res_model == m._name)
            if not on_report:
                continue
            reports = model.sudo().search(
                [
                    ("id", "in", list(set(on_report.mapped("res_id")))),
                    ("state", "!=", "draft"),
                ]
            )
            report_ids = set(reports.ids)
            exports = set(reports.export_attachment_ids.ids)
            binaries = _protected_binary_fields(model)
            frozen |= on_report.filtered(
                lambda a, r=report_ids, e=exports, b=binaries: (
                    a.res_id in r and (a.id in e or a.res_field in b)
                )
            )
        return frozen

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
        report = self.env[frozen[0].res_model].sudo().browse(frozen[0].res_id)
        if deleting:
            message = self.env._(
                "%(report)s is %(state)s: its exports and acuse cannot be deleted. They "
                "are what was confirmed and filed; a change goes into a complementaria "
                "(Corrección, Complementario).",
                report=report.display_name,
                state=report._state_label(),
            )
        else:
            message = self.env._(
                "%(report)s is %(state)s: its exports and acuse cannot be changed or "
                "moved. They are what was confirmed and filed; a change goes into a "
                "complementaria (Corrección, Complementario).",
                report=report.display_name,
                state=report._state_label(),
            )
        raise UserError(message)

    def _l10n_mx_icsoe_check_field_owner(self, targets):
        """Refuse to put an attachment on a protected binary field of a report.

        ``targets`` is [(res_model, res_id, res_field)].
        """
        models_ = {model._name: model for model in report_models(self.env)}
        for res_model, res_id, res_field in targets:
            model = models_.get(res_model)
            if model is not None and res_field in _protected_binary_fields(model):
                report = model.sudo().browse(res_id)
                field = model._fields[res_field]
                raise UserError(
                    self.env._(
                        "%(report)s: a file cannot be attached as its %(field)s by hand; "
                        "the %(field)s is recorded by the report's buttons (Register "
                        "presentation, Record the answer). Attach it to the chatter "
                        "instead.",
                        report=report.display_name if report.exists() else res_id,
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
