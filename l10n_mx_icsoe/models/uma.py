from odoo import api, fields, models


class L10nMxIcsoeUma(models.Model):
    """Unidad de Medida y Actualización (national, published yearly by INEGI).

    Used for the 25 UMA ceiling of the SBC (LSS art. 28). The value in force on a
    day is the one with the latest ``date_from`` on or before that day.
    """

    _name = "l10n_mx_icsoe.uma"
    _description = "UMA (Unidad de Medida y Actualización)"
    _order = "date_from desc"
    _rec_name = "date_from"

    date_from = fields.Date(string="Valid From", required=True)
    daily_amount = fields.Float(string="Daily UMA", digits=(16, 2), required=True)

    _sql_constraints = [
        (
            "date_from_unique",
            "unique(date_from)",
            "There is already a UMA value for that date.",
        ),
        (
            "daily_amount_positive",
            "check(daily_amount > 0)",
            "The UMA must be positive.",
        ),
    ]

    @api.model
    def _daily_amount_on(self, day):
        """The daily UMA in force on ``day`` (0.0 when the table has none)."""
        uma = self.search([("date_from", "<=", day)], limit=1)
        return uma.daily_amount
