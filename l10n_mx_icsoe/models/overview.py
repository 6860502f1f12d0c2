"""ICSOE > Overview: where each company stands, computed on the fly.

Both cuatrimestral reports of the period to file are shown: the ICSOE
informativa (IMSS) and the SISUB report (INFONAVIT).
"""

from odoo import fields, models

from .filing import FILING_STATES
from .filing_schedule import last_closed_period
from .sisub import SISUB_STATES


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_mx_icsoe_due_period = fields.Char(
        string="Period to File", compute="_compute_l10n_mx_icsoe_overview"
    )
    l10n_mx_icsoe_current_period = fields.Char(
        string="Current Period", compute="_compute_l10n_mx_icsoe_overview"
    )
    l10n_mx_icsoe_due_state = fields.Selection(
        [("missing", "Not started"), *FILING_STATES],
        string="Filing State",
        compute="_compute_l10n_mx_icsoe_overview",
    )
    l10n_mx_icsoe_due_deadline = fields.Date(
        string="Deadline", compute="_compute_l10n_mx_icsoe_overview"
    )
    l10n_mx_icsoe_days_left = fields.Integer(
        string="Days to Deadline", compute="_compute_l10n_mx_icsoe_overview"
    )
    l10n_mx_icsoe_overdue_count = fields.Integer(
        string="Overdue Filings", compute="_compute_l10n_mx_icsoe_overview"
    )
    l10n_mx_icsoe_missing_acuse_count = fields.Integer(
        string="Filed without Acuse", compute="_compute_l10n_mx_icsoe_overview"
    )
    l10n_mx_icsoe_repse_expiry = fields.Date(
        string="REPSE Expiry", compute="_compute_l10n_mx_icsoe_overview"
    )
    l10n_mx_icsoe_sisub_due_state = fields.Selection(
        [("missing", "Not started"), *SISUB_STATES],
        string="SISUB State",
        compute="_compute_l10n_mx_icsoe_overview",
        help="The INFONAVIT SISUB report of the period to file.",
    )
    l10n_mx_icsoe_sisub_overdue_count = fields.Integer(
        string="Overdue SISUB Reports", compute="_compute_l10n_mx_icsoe_overview"
    )

    def _compute_l10n_mx_icsoe_overview(self):
        Filing = self.env["l10n_mx_icsoe.filing"]
        today = Filing._today_mexico()
        year, period = last_closed_period(today)
        cur_year, cur_period = today.year, (today.month - 1) // 4 + 1
        due = Filing.search(
            [
                ("company_id", "in", self.ids),
                ("year", "=", year),
                ("period", "=", str(period)),
                ("state", "!=", "voided"),
            ],
            order="id desc",
        )
        overdue = Filing.search(
            [("company_id", "in", self.ids), ("is_overdue", "=", True)]
        )
        no_acuse = Filing.search(
            [
                ("company_id", "in", self.ids),
                ("state", "in", ("filed", "replaced")),
                ("acuse", "=", False),
            ]
        )
        regs = self.env["l10n_mx_icsoe.repse.registration"].search(
            [("company_id", "in", self.ids), ("state", "=", "active")]
        )
        deadline = Filing.new({"year": year, "period": str(period)}).deadline
        Sisub = self.env["l10n_mx_icsoe.sisub"]
        sisub_due = Sisub.search(
            [
                ("company_id", "in", self.ids),
                ("year", "=", year),
                ("period", "=", str(period)),
            ],
            order="id desc",
        )
        sisub_overdue = Sisub.search(
            [("company_id", "in", self.ids), ("is_overdue", "=", True)]
        )
        for company in self:
            mine = due.filtered(lambda f, c=company: f.company_id == c)
            effective = mine.filtered("is_effective")[:1] or mine[:1]
            company.l10n_mx_icsoe_due_period = f"{year}-{period}"
            company.l10n_mx_icsoe_current_period = f"{cur_year}-{cur_period}"
            company.l10n_mx_icsoe_due_state = effective.state or "missing"
            company.l10n_mx_icsoe_due_deadline = deadline
            company.l10n_mx_icsoe_days_left = (deadline - today).days
            company.l10n_mx_icsoe_overdue_count = len(
                overdue.filtered(lambda f, c=company: f.company_id == c)
            )
            company.l10n_mx_icsoe_missing_acuse_count = len(
                no_acuse.filtered(lambda f, c=company: f.company_id == c)
            )
            reports = sisub_due.filtered(lambda r, c=company: r.company_id == c)
            standing = reports.filtered("is_effective")[:1] or reports[:1]
            company.l10n_mx_icsoe_sisub_due_state = standing.state or "missing"
            company.l10n_mx_icsoe_sisub_overdue_count = len(
                sisub_overdue.filtered(lambda r, c=company: r.company_id == c)
            )
            expiries = regs.filtered(lambda r, c=company: r.company_id == c).mapped(
                "expiry_date"
            )
            company.l10n_mx_icsoe_repse_expiry = min(expiries) if expiries else False
