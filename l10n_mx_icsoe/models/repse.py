from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# A REPSE registration lasts 3 years; renewal is requested in the 3 months
# before expiry (LFT art. 15, STPS Acuerdo DOF 24-05-2021, art. 15).
REPSE_VALIDITY = relativedelta(years=3)
REPSE_RENEWAL_WINDOW = relativedelta(months=3)


def capture_text(folio, description):
    """The text IMSS wants in "Servicio u obra especializado": "folio — description"."""
    description = " ".join((description or "").split())
    folio = (folio or "").strip()
    if not folio and not description:
        return ""
    return f"{folio} — {description}"


class L10nMxIcsoeRepseRegistration(models.Model):
    _name = "l10n_mx_icsoe.repse.registration"
    _description = "REPSE Registration"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "registration_date desc, id desc"

    name = fields.Char(
        string="Registration Number",
        required=True,
        tracking=True,
        help="Número de registro / aviso de registro issued by the STPS (REPSE). "
        "Its official format is not published: it is kept as typed.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    registration_date = fields.Date(required=True, tracking=True)
    expiry_date = fields.Date(
        compute="_compute_dates",
        store=True,
        help="Three years after the registration date.",
    )
    renewal_date = fields.Date(
        string="Renewal Window Opens",
        compute="_compute_dates",
        store=True,
        help="Renewal must be requested in the three months before expiry.",
    )
    state = fields.Selection(
        [("active", "Active"), ("expired", "Expired"), ("cancelled", "Cancelled")],
        default="active",
        required=True,
        tracking=True,
        copy=False,
    )
    document = fields.Binary(
        string="STPS Registration (PDF)", attachment=True, copy=False
    )
    document_filename = fields.Char()
    service_ids = fields.One2many(
        "l10n_mx_icsoe.repse.service", "registration_id", string="Registered Services"
    )
    in_renewal_window = fields.Boolean(compute="_compute_in_renewal_window")

    _sql_constraints = [
        (
            "name_company_unique",
            "unique(company_id, name)",
            "This REPSE registration number already exists for the company.",
        ),
    ]

    @api.depends("registration_date")
    def _compute_dates(self):
        for reg in self:
            if reg.registration_date:
                reg.expiry_date = reg.registration_date + REPSE_VALIDITY
                reg.renewal_date = reg.expiry_date - REPSE_RENEWAL_WINDOW
            else:
                reg.expiry_date = reg.renewal_date = False

    @api.depends("renewal_date", "expiry_date", "state")
    def _compute_in_renewal_window(self):
        today = fields.Date.context_today(self)
        for reg in self:
            reg.in_renewal_window = bool(
                reg.state == "active"
                and reg.renewal_date
                and reg.renewal_date <= today < reg.expiry_date
            )

    @api.constrains("name")
    def _check_name(self):
        for reg in self:
            if not (reg.name or "").strip():
                raise ValidationError(
                    self.env._("REPSE registration: the Registration Number is empty.")
                )

    def _is_valid_on(self, day):
        """True when the registration is not cancelled and covers ``day``."""
        self.ensure_one()
        return bool(
            self.state != "cancelled"
            and day
            and self.registration_date <= day < self.expiry_date
        )

    def action_cancel(self):
        for reg in self:
            if reg.state == "cancelled":
                raise UserError(
                    self.env._(
                        "REPSE registration %(name)s is already cancelled.",
                        name=reg.name,
                    )
                )
        self.state = "cancelled"

    def action_reactivate(self):
        for reg in self:
            if reg.state != "cancelled":
                raise UserError(
                    self.env._(
                        "REPSE registration %(name)s is not cancelled.", name=reg.name
                    )
                )
        self.state = "active"
        self._update_expired_state()

    def _update_expired_state(self):
        """Move active registrations whose expiry date has passed to 'expired'."""
        today = fields.Date.context_today(self)
        self.filtered(
            lambda r: r.state == "active" and r.expiry_date and r.expiry_date <= today
        ).state = "expired"

    @api.model
    def _cron_update_state(self):
        self.search([("state", "=", "active")])._update_expired_state()

    @api.model_create_multi
    def create(self, vals_list):
        regs = super().create(vals_list)
        regs._update_expired_state()
        return regs


class L10nMxIcsoeRepseService(models.Model):
    """A service or work authorised in a REPSE registration (one folio each).

    IMSS wants the contract's "Servicio u obra especializado" field to hold the
    REPSE folio followed by the authorised description: that is the display name.
    """

    _name = "l10n_mx_icsoe.repse.service"
    _description = "REPSE Registered Service"
    _order = "registration_id, folio"

    registration_id = fields.Many2one(
        "l10n_mx_icsoe.repse.registration",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="registration_id.company_id", store=True, index=True, precompute=True
    )
    folio = fields.Char(
        required=True, help="Folio of the activity in the REPSE registration."
    )
    description = fields.Text(
        required=True,
        help="Description of the service exactly as authorised by the STPS.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "folio_registration_unique",
            "unique(registration_id, folio)",
            "This folio already exists in the REPSE registration.",
        ),
    ]

    @api.depends("folio", "description")
    def _compute_display_name(self):
        for service in self:
            service.display_name = service._capture_text()

    def _capture_text(self):
        self.ensure_one()
        return capture_text(self.folio, self.description)

    @api.constrains("folio", "description")
    def _check_not_blank(self):
        for service in self:
            if not (service.folio or "").strip():
                raise ValidationError(
                    self.env._(
                        "REPSE registration %(reg)s: a registered service has an empty Folio.",
                        reg=service.registration_id.name,
                    )
                )
            if not (service.description or "").strip():
                raise ValidationError(
                    self.env._(
                        "REPSE service %(folio)s: the Description is empty.",
                        folio=service.folio,
                    )
                )
