from odoo import fields, models

from ..models.timesheet_plan import ACTIONS, TimesheetPlan


class L10nMxIcsoeTimesheetAssign(models.TransientModel):
    """Contract > Propose Assignments from Timesheets: preview, then apply at once."""

    _name = "l10n_mx_icsoe.timesheet.assign"
    _description = "Propose Assignments from Timesheets"

    contract_id = fields.Many2one(
        "l10n_mx_icsoe.contract", required=True, readonly=True, ondelete="cascade"
    )
    project_id = fields.Many2one(related="contract_id.project_id")
    state = fields.Selection(
        [("preview", "Preview"), ("done", "Done")], default="preview", required=True
    )
    line_ids = fields.One2many(
        "l10n_mx_icsoe.timesheet.assign.line", "wizard_id", string="Proposal"
    )
    change_count = fields.Integer(string="Changes to Apply", compute="_compute_counts")
    blocked_count = fields.Integer(string="Blocked Rows", compute="_compute_counts")
    message = fields.Text(readonly=True)

    def _compute_counts(self):
        for wizard in self:
            actions = wizard.line_ids.mapped("action")
            wizard.change_count = sum(a in ("create", "extend") for a in actions)
            wizard.blocked_count = actions.count("blocked")

    def _plan(self):
        self.ensure_one()
        return TimesheetPlan(self.contract_id)

    def _load_preview(self, plan_lines=None):
        self.ensure_one()
        if plan_lines is None:
            plan_lines = self._plan().plan()
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "sequence": index,
                    "employee_id": line.employee.id,
                    "first_date": line.first_date,
                    "last_date": line.last_date,
                    "hours": line.hours,
                    "current": line.current,
                    "action": line.action,
                    "date_from": line.date_from,
                    "date_to": line.date_to,
                    "reason": "\n".join(line.reasons),
                }
            )
            for index, line in enumerate(plan_lines)
        ]

    def action_apply(self):
        self.ensure_one()
        plan = self._plan()
        lines = plan.plan()
        shown = [
            (
                row.employee_id.id,
                row.action,
                row.date_from or False,
                row.date_to or False,
            )
            for row in self.line_ids
        ]
        planned = [
            (
                line.employee.id,
                line.action,
                line.date_from or False,
                line.date_to or False,
            )
            for line in lines
        ]
        if shown != planned:
            # Timesheets or assignments changed since the preview: apply nothing
            # that was not shown.
            self._load_preview(lines)
            self.message = self.env._(
                "The timesheets or the assignments of contract %(contract)s changed "
                "since this preview. Check the new proposal and apply again.",
                contract=self.contract_id.name,
            )
            return self._reopen()
        counts = plan.apply(lines)
        self.state = "done"
        self.message = self.env._(
            "Contract %(contract)s: %(created)s assignments created, %(extended)s "
            "extended, %(unchanged)s already up to date, %(blocked)s blocked.",
            contract=self.contract_id.name,
            created=counts["create"],
            extended=counts["extend"],
            unchanged=counts["unchanged"],
            blocked=counts["blocked"],
        )
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose Assignments from Timesheets"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


class L10nMxIcsoeTimesheetAssignLine(models.TransientModel):
    _name = "l10n_mx_icsoe.timesheet.assign.line"
    _description = "Propose Assignments from Timesheets: Line"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        "l10n_mx_icsoe.timesheet.assign", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    employee_id = fields.Many2one("hr.employee", string="Worker")
    first_date = fields.Date(string="First Timesheet")
    last_date = fields.Date(string="Last Timesheet")
    hours = fields.Float(string="Hours Logged")
    current = fields.Char(string="Current Assignments")
    action = fields.Selection(ACTIONS, string="Proposal")
    date_from = fields.Date(string="Assigned From")
    date_to = fields.Date(string="Assigned To")
    reason = fields.Text(string="Notes")
