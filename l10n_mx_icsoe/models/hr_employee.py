"""Workers: the IMSS data of the informativa, and no more, for ICSOE users.

ICSOE users read workers (``hr.employee``) for the informativa: name, company,
department and job, NSS, CURP, RFC, SBC history and contract assignments. That
read access must not open the worker's HR file, which Odoo lets whoever reads
the worker see:

* attachments (``ir.attachment`` follows the access to the record it is on),
  messages (``mail.message`` likewise) and activities of workers are hidden
  from ICSOE users who are neither HR officers nor administrators;
* ICSOE Managers may write the IMSS fields of a worker only (NSS, CURP, RFC,
  SBC history, assignments), unless they are HR officers too.

Odoo's own private fields of a worker are already reserved to HR officers
(``groups="hr.group_hr_user"``); what else an ICSOE user reads is what every
employee reads on the public profile.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..icsoe.identifiers import IdentifierError, compact, validate_curp, validate_nss
from .common import identifier_message

WORKER_DATA_GROUPS = "hr.group_hr_user,l10n_mx_icsoe.group_icsoe_user"
EMPLOYEE = "hr.employee"
#: What an ICSOE Manager who is not an HR officer may write on a worker.
ICSOE_WRITABLE_FIELDS = frozenset(
    {
        "ssnid",
        "l10n_mx_curp",
        "l10n_mx_rfc",
        "l10n_mx_icsoe_sbc_ids",
        "l10n_mx_icsoe_assignment_ids",
        "l10n_mx_icsoe_nrp_id",
    }
)


def hides_hr_file(env):
    """True when ``env``'s user reads workers through the ICSOE groups only.

    ICSOE users who are neither HR officers nor administrators do not see the
    workers' attachments, messages and activities.
    """
    if env.su:
        return False
    user = env.user
    return user.has_group("l10n_mx_icsoe.group_icsoe_user") and not user.has_groups(
        "hr.group_hr_user,base.group_system"
    )


def _hr_file_error(env):
    return AccessError(
        env._(
            "The documents, messages and activities of a worker belong to the HR file: "
            "only HR officers see them. ICSOE users see the worker's IMSS data only; "
            "ask an HR officer for what you need."
        )
    )


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
    l10n_mx_icsoe_nrp_id = fields.Many2one(
        "l10n_mx_icsoe.nrp",
        string="Registro Patronal (NRP)",
        groups=WORKER_DATA_GROUPS,
        domain="[('company_id', '=', company_id)]",
        help="The company's registro patronal the worker is registered under with IMSS "
        "(SISUB worker detail). Empty: the contract's NRP, else the company's "
        "principal one.",
    )
    # The payroll XML imported for the worker: HR officers and ICSOE Managers only.
    l10n_mx_icsoe_payroll_cfdi_ids = fields.One2many(
        "l10n_mx_icsoe.payroll.cfdi",
        "employee_id",
        string="Imported Payroll CFDI",
        groups="hr.group_hr_user,l10n_mx_icsoe.group_icsoe_manager",
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
        self._l10n_mx_icsoe_check_write(vals)
        return super().write(self._l10n_mx_icsoe_normalize(dict(vals)))

    def _l10n_mx_icsoe_check_write(self, vals):
        """ICSOE users who are not HR officers change the IMSS data only."""
        if self.env.su or not self or self.env.user.has_group("hr.group_hr_user"):
            return
        if not (
            self.env.user.has_group("l10n_mx_icsoe.group_icsoe_user")
            and self.browse().has_access("write")
        ):
            return  # Odoo's own access rights decide
        others = [
            name
            for name in vals
            if name in self._fields and name not in ICSOE_WRITABLE_FIELDS
        ]
        if others:
            labels = ", ".join(
                self._fields[name]._description_string(self.env) for name in others
            )
            raise AccessError(
                self.env._(
                    "%(worker)s: you may change only the worker's IMSS data (NSS, CURP, "
                    "RFC, SBC history, contract assignments), not %(fields)s. Ask an HR "
                    "officer to change it.",
                    worker=self[:1].sudo().name
                    if len(self) == 1
                    else self.env._("%(count)s workers", count=len(self)),
                    fields=labels,
                )
            )

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

    @api.constrains("l10n_mx_icsoe_nrp_id", "company_id")
    def _check_l10n_mx_icsoe_nrp(self):
        for employee in self.sudo():
            nrp = employee.l10n_mx_icsoe_nrp_id
            if nrp and nrp.company_id != employee.company_id:
                raise ValidationError(
                    self.env._(
                        "%(worker)s: the Registro Patronal %(nrp)s belongs to %(company)s, "
                        "not to the worker's company; pick one of %(own)s.",
                        worker=employee.name,
                        nrp=nrp.name,
                        company=nrp.company_id.name,
                        own=employee.company_id.name,
                    )
                )

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

    def action_l10n_mx_icsoe_open_assignments(self):
        """Smart button: the contracts this worker is assigned to."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contracts of %(worker)s", worker=self.name),
            "res_model": "l10n_mx_icsoe.contract",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("assignment_ids.employee_id", "=", self.id)],
        }


class MailActivity(models.Model):
    """Activities on workers: not for ICSOE users who are not HR officers
    (except the ones assigned to them)."""

    _inherit = "mail.activity"

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if not self or not hides_hr_file(self.env):
            return result
        checked = self - result[0] if result else self
        hidden = checked.sudo().filtered(
            lambda a: a.res_model == EMPLOYEE and a.user_id.id != self.env.uid
        )
        if not hidden:
            return result
        hidden = self.browse(hidden.ids)
        if result:
            return (result[0] + hidden, result[1])
        return (hidden, lambda: _hr_file_error(self.env))

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if hides_hr_file(self.env):
            domain = [
                "|",
                ("res_model", "!=", EMPLOYEE),
                ("user_id", "=", self.env.uid),
                *domain,
            ]
        return super()._search(domain, offset, limit, order)
