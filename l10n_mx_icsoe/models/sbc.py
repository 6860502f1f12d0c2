from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..icsoe.identifiers import IdentifierError, validate_sbc
from .common import identifier_message

SBC_CAP_UMA = 25  # LSS art. 28: the SBC is capped at 25 UMA per day


class L10nMxIcsoeSbc(models.Model):
    """Salario Base de Cotización (daily) of a worker, from a date on."""

    _name = "l10n_mx_icsoe.sbc"
    _description = "SBC History"
    _order = "employee_id, date_from desc"
    _check_company_auto = True
    _rec_name = "date_from"

    employee_id = fields.Many2one(
        "hr.employee", required=True, ondelete="cascade", index=True
    )
    # The company that recorded this SBC: when a worker moves to another company,
    # the SBC rows stay with the company that paid him (its filings read only its
    # own rows).
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        required=True,
    )
    date_from = fields.Date(string="Valid From", required=True)
    amount = fields.Float(string="Daily SBC", digits=(16, 2), required=True)
    source = fields.Char(
        help="Where this value comes from (payroll, CFDI UUID, manual...)."
    )
    above_cap = fields.Boolean(
        string="Above 25 UMA",
        compute="_compute_above_cap",
        help="The SBC is capped at 25 UMA; a higher value is usually a typing error.",
    )

    _sql_constraints = [
        (
            "employee_date_unique",
            "unique(employee_id, date_from)",
            "The worker already has an SBC from that date.",
        ),
    ]

    @api.depends("employee_id")
    def _compute_company_id(self):
        for sbc in self:
            if not sbc.company_id or sbc.company_id != sbc.employee_id.company_id:
                sbc.company_id = sbc.employee_id.company_id

    @api.depends("amount", "date_from")
    def _compute_above_cap(self):
        uma_model = self.env["l10n_mx_icsoe.uma"]
        for sbc in self:
            uma = uma_model._daily_amount_on(sbc.date_from) if sbc.date_from else 0.0
            sbc.above_cap = bool(uma and sbc.amount > SBC_CAP_UMA * uma)

    def _check_raw_amount(self, vals_list):
        """Refuse amounts <= 0 or with more than 2 decimals before they are rounded."""
        for vals in vals_list:
            if "amount" not in vals:
                continue
            try:
                validate_sbc(vals["amount"])
            except IdentifierError as error:
                employee = self.env["hr.employee"].browse(
                    vals.get("employee_id") or self.employee_id[:1].id
                )
                raise ValidationError(
                    identifier_message(
                        self.env, error, employee.display_name, self.env._("Daily SBC")
                    )
                ) from error

    @api.model_create_multi
    def create(self, vals_list):
        self._check_raw_amount(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_raw_amount([vals])
        return super().write(vals)

    @api.model
    def _last_sbc(self, employees, date_to):
        """The SBC in force on ``date_to`` for each employee, in one query.

        This is the last SBC registered up to the end of a period, which is what
        IMSS asks for. Returns ``{employee_id: (date_from, amount)}``; employees
        without an SBC on or before ``date_to`` are absent.
        """
        if not employees:
            return {}
        self.flush_model(["employee_id", "date_from", "amount"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (employee_id) employee_id, date_from, amount
                  FROM l10n_mx_icsoe_sbc
                 WHERE employee_id = ANY(%s) AND date_from <= %s
              ORDER BY employee_id, date_from DESC
                """,
                list(employees.ids),
                date_to,
            )
        )
        return {emp: (day, amount) for emp, day, amount in self.env.cr.fetchall()}
