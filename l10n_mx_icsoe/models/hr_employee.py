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
from odoo.tools import SQL

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


class IrAttachment(models.Model):
    """Attachments of workers: not for ICSOE users who are not HR officers."""

    _inherit = "ir.attachment"

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


class MailMessage(models.Model):
    """Messages on workers: not for ICSOE users who are not HR officers.

    What Odoo grants through the worker (the document) is withdrawn; a message
    the user wrote or was sent stays readable, as anywhere else.
    """

    _inherit = "mail.message"

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
