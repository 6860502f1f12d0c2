from odoo import fields, models

from .timesheet_plan import TimesheetPlan


class L10nMxIcsoeContract(models.Model):
    _inherit = "l10n_mx_icsoe.contract"

    project_id = fields.Many2one(
        "project.project",
        tracking=True,
        index="btree_not_null",
        check_company=True,
        domain="[('company_id', 'in', (company_id, False)), "
        "('allow_timesheets', '=', True)]",
        help="The project whose timesheets show who works for the client under this "
        "contract: Propose Assignments from Timesheets reads them.",
    )

    def action_propose_timesheet_assignments(self):
        """Open the preview of the assignments proposed from the project's timesheets."""
        self.ensure_one()
        wizard = self.env["l10n_mx_icsoe.timesheet.assign"].create(
            {"contract_id": self.id}
        )
        wizard._load_preview()
        return wizard._reopen()

    def _apply_timesheet_assignments(self):
        """Plan and apply in one go (scripts, demo data); returns the counters."""
        counts = {}
        for contract in self:
            plan = TimesheetPlan(contract)
            for action, number in plan.apply(plan.plan()).items():
                counts[action] = counts.get(action, 0) + number
        return counts
