from odoo import api, fields, models


class L10nMxIcsoeHoliday(models.Model):
    """Official non-working day that moves an ICSOE deadline to the next business day.

    Pre-filled with the statutory holidays of LFT art. 74 for 2025-2028; the
    official IMSS calendar is not published in a reusable form, so the table is
    data the administrator keeps.
    """

    _name = "l10n_mx_icsoe.holiday"
    _description = "ICSOE Non-Working Day"
    _order = "date"

    date = fields.Date(required=True)
    name = fields.Char(required=True, translate=True)
    year = fields.Integer(compute="_compute_year", store=True)

    _sql_constraints = [
        ("date_unique", "unique(date)", "That day is already in the table."),
    ]

    @api.depends("date")
    def _compute_year(self):
        for day in self:
            day.year = day.date.year if day.date else 0

    @api.model_create_multi
    def create(self, vals_list):
        days = super().create(vals_list)
        self._recompute_deadlines()
        return days

    def write(self, vals):
        res = super().write(vals)
        if "date" in vals:
            self._recompute_deadlines()
        return res

    def unlink(self):
        res = super().unlink()
        self._recompute_deadlines()
        return res

    @api.model
    def _recompute_deadlines(self):
        """Deadlines follow the table: recompute those of reports not filed yet."""
        for model in self.env.registry.descendants(
            ["l10n_mx_icsoe.periodic.report"], "_inherit"
        ):
            Report = self.env[model].sudo()
            if Report._abstract:
                continue
            reports = Report.search([("state", "in", Report._report_open_states)])
            if not reports:
                continue
            old = {r.id: r.deadline for r in reports}
            self.env.add_to_compute(Report._fields["deadline"], reports)
            reports.flush_recordset(["deadline"])
            reports.filtered(
                lambda r, o=old: r.deadline != o[r.id]
            )._move_deadline_activities()

    @api.model
    def _missing_years(self, years):
        """Years among ``years`` with no non-working day in the table."""
        have = {
            year for [year] in self._read_group([("year", "in", list(years))], ["year"])
        }
        return sorted(set(years) - have)

    @api.model
    def _dates(self, date_from, date_to):
        return set(
            self.search([("date", ">=", date_from), ("date", "<=", date_to)]).mapped(
                "date"
            )
        )
