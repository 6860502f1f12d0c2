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

    _sql_constraints = [
        ("date_unique", "unique(date)", "That day is already in the table."),
    ]

    @api.model
    def _dates(self, date_from, date_to):
        return set(
            self.search([("date", ">=", date_from), ("date", "<=", date_to)]).mapped(
                "date"
            )
        )
