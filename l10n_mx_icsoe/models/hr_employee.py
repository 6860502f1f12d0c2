from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..icsoe.identifiers import IdentifierError, compact, validate_curp, validate_nss
from .common import identifier_message

WORKER_DATA_GROUPS = "hr.group_hr_user,l10n_mx_icsoe.group_icsoe_user"


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    # Worker identity for IMSS: visible to HR officers and ICSOE users only.
    company_country_code = fields.Char(
        groups="base.group_system,hr.group_hr_user,l10n_mx_icsoe.group_icsoe_user"
    )
    ssnid = fields.Char(groups=WORKER_DATA_GROUPS)
    l10n_mx_curp = fields.Char(groups=WORKER_DATA_GROUPS)
    l10n_mx_rfc = fields.Char(groups=WORKER_DATA_GROUPS)
    l10n_mx_icsoe_sbc_ids = fields.One2many(
        "l10n_mx_icsoe.sbc",
        "employee_id",
        string="SBC History",
        groups=WORKER_DATA_GROUPS,
    )
    l10n_mx_icsoe_sbc = fields.Float(
        string="Current SBC",
        digits=(16, 2),
        compute="_compute_l10n_mx_icsoe_sbc",
        groups=WORKER_DATA_GROUPS,
    )
    l10n_mx_icsoe_assignment_ids = fields.One2many(
        "l10n_mx_icsoe.contract.assignment",
        "employee_id",
        string="ICSOE Contract Assignments",
        groups=WORKER_DATA_GROUPS,
    )

    @api.depends("l10n_mx_icsoe_sbc_ids.date_from", "l10n_mx_icsoe_sbc_ids.amount")
    @api.depends_context("date")
    def _compute_l10n_mx_icsoe_sbc(self):
        day = fields.Date.to_date(
            self.env.context.get("date")
        ) or fields.Date.context_today(self)
        last = self.env["l10n_mx_icsoe.sbc"]._last_sbc(self.filtered("id"), day)
        for employee in self:
            employee.l10n_mx_icsoe_sbc = last.get(employee.id, (None, 0.0))[1]

    @staticmethod
    def _l10n_mx_icsoe_normalize(vals):
        if vals.get("ssnid"):
            vals["ssnid"] = compact(vals["ssnid"])
        if vals.get("l10n_mx_curp"):
            vals["l10n_mx_curp"] = compact(vals["l10n_mx_curp"])
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(
            [self._l10n_mx_icsoe_normalize(dict(v)) for v in vals_list]
        )

    def write(self, vals):
        return super().write(self._l10n_mx_icsoe_normalize(dict(vals)))

    def _l10n_mx_icsoe_is_mexican(self):
        self.ensure_one()
        return self.company_id.country_id.code == "MX"

    @api.constrains("ssnid", "company_id")
    def _check_ssnid(self):
        res = super()._check_ssnid()
        for employee in self.sudo():
            if employee.ssnid and employee._l10n_mx_icsoe_is_mexican():
                try:
                    validate_nss(employee.ssnid)
                except IdentifierError as error:
                    raise ValidationError(
                        identifier_message(
                            self.env, error, employee.name, self.env._("NSS")
                        )
                    ) from error
        return res

    @api.constrains("l10n_mx_curp", "company_id")
    def _check_l10n_mx_icsoe_curp(self):
        for employee in self.sudo():
            if employee.l10n_mx_curp and employee._l10n_mx_icsoe_is_mexican():
                try:
                    validate_curp(employee.l10n_mx_curp)
                except IdentifierError as error:
                    raise ValidationError(
                        identifier_message(
                            self.env, error, employee.name, self.env._("CURP")
                        )
                    ) from error
