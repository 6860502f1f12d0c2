from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..icsoe import repse

# A REPSE registration lasts 3 years; renewal is requested in the 3 months
# before expiry (LFT art. 15, STPS Acuerdo DOF 24-05-2021, art. 15).
REPSE_VALIDITY = repse.VALIDITY
REPSE_RENEWAL_WINDOW = repse.RENEWAL_WINDOW


def capture_text(folio, description):
    """The text IMSS wants in "Servicio u obra especializado": "folio — description"."""
    description = " ".join((description or "").split())
    folio = (folio or "").strip()
    if not folio and not description:
        return ""
    return f"{folio} — {description}"


REGISTRATION_STATES = [
    ("active", "Active"),
    ("renewal_requested", "Renewal Requested"),
    ("renewed", "Renewed"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]


class L10nMxIcsoeRepseRegistration(models.Model):
    _name = "l10n_mx_icsoe.repse.registration"
    _description = "REPSE Registration"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "registration_date desc, id desc"
    _check_company_auto = True

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
        REGISTRATION_STATES,
        default="active",
        required=True,
        tracking=True,
        copy=False,
        readonly=True,
        help="Active: valid today. Renewal Requested: the renewal was requested and "
        "the renewed registration is not recorded yet. Renewed: a later registration "
        "renews it. Expired: three years passed without renewal. Cancelled: by the "
        "STPS or the company, from the cancellation date on.",
    )
    renewed_registration_id = fields.Many2one(
        "l10n_mx_icsoe.repse.registration",
        string="Renews",
        check_company=True,
        index=True,
        tracking=True,
        help="The registration this one renews: contracts started under that one stay "
        "valid when they are moved to a service of this one.",
    )
    renewal_ids = fields.One2many(
        "l10n_mx_icsoe.repse.registration",
        "renewed_registration_id",
        string="Renewed By",
    )
    renewal_requested_date = fields.Date(
        string="Renewal Requested On",
        tracking=True,
        copy=False,
        help="Date the renewal was requested from the STPS. Requested inside the "
        "3-month window, it keeps the registration valid after expiry while the "
        "renewal is pending when the company setting says so.",
    )
    cancel_date = fields.Date(
        string="Cancelled On",
        tracking=True,
        copy=False,
        help="Valid up to the day before this date.",
    )
    document = fields.Binary(
        string="STPS Registration (PDF)", attachment=True, copy=False
    )
    document_filename = fields.Char()
    service_ids = fields.One2many(
        "l10n_mx_icsoe.repse.service", "registration_id", string="Registered Services"
    )
    in_renewal_window = fields.Boolean(compute="_compute_in_renewal_window")
    contract_count = fields.Integer(compute="_compute_contract_count")

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
                reg.expiry_date = repse.expiry_of(reg.registration_date)
                reg.renewal_date = repse.renewal_opens(reg.registration_date)
            else:
                reg.expiry_date = reg.renewal_date = False

    @api.depends("renewal_date", "expiry_date", "state")
    def _compute_in_renewal_window(self):
        today = self._today()
        for reg in self:
            reg.in_renewal_window = bool(
                reg.state in ("active", "renewal_requested")
                and reg.renewal_date
                and reg.renewal_date <= today < reg.expiry_date
            )

    def _compute_contract_count(self):
        counts = dict(
            self.env["l10n_mx_icsoe.contract"]._read_group(
                [("repse_service_id.registration_id", "in", self.ids)],
                ["repse_registration_id"],
                ["__count"],
            )
        )
        for reg in self:
            reg.contract_count = counts.get(reg, 0)

    @api.model
    def _today(self):
        """Today in Mexico City, where REPSE and ICSOE dates are read."""
        return self.env["l10n_mx_icsoe.filing"]._today_mexico()

    @api.constrains("name")
    def _check_name(self):
        for reg in self:
            if not (reg.name or "").strip():
                raise ValidationError(
                    self.env._("REPSE registration: the Registration Number is empty.")
                )

    @api.constrains("renewed_registration_id", "registration_date")
    def _check_renewal(self):
        for reg in self.filtered("renewed_registration_id"):
            old = reg.renewed_registration_id
            if reg in reg._chain_records():
                raise ValidationError(
                    self.env._(
                        "REPSE registration %(name)s: it cannot renew itself, directly or "
                        "through the registrations it renews.",
                        name=reg.name,
                    )
                )
            if reg.registration_date <= old.registration_date:
                raise ValidationError(
                    self.env._(
                        "REPSE registration %(name)s: its Registration Date must be after "
                        "that of %(old)s, the registration it renews.",
                        name=reg.name,
                        old=old.name,
                    )
                )
            if len(old.renewal_ids) > 1:
                raise ValidationError(
                    self.env._(
                        "REPSE registration %(old)s is already renewed by %(other)s.",
                        old=old.name,
                        other=(old.renewal_ids - reg)[:1].name,
                    )
                )

    @api.constrains("renewal_requested_date", "cancel_date", "registration_date")
    def _check_event_dates(self):
        for reg in self:
            for label, day in (
                (self.env._("Renewal Requested On"), reg.renewal_requested_date),
                (self.env._("Cancelled On"), reg.cancel_date),
            ):
                if day and day < reg.registration_date:
                    raise ValidationError(
                        self.env._(
                            "REPSE registration %(name)s: %(field)s (%(day)s) is before "
                            "the Registration Date (%(start)s).",
                            name=reg.name,
                            field=label,
                            day=day,
                            start=reg.registration_date,
                        )
                    )

    def _chain_records(self):
        """The registrations this one renews, directly or not (itself if in a cycle)."""
        self.ensure_one()
        found = self.browse()
        reg = self.renewed_registration_id
        while reg and reg not in found:
            found |= reg
            reg = reg.renewed_registration_id
        return found

    # ---------------------------------------------------------------- validity

    @api.model
    def _chain_of(self, company):
        """The company's registrations as a ``icsoe.repse.Chain`` (one query)."""
        rows = (
            self.sudo()
            .with_context(active_test=False)
            .search_read(
                [("company_id", "=", company.id)],
                [
                    "name",
                    "registration_date",
                    "cancel_date",
                    "renewal_requested_date",
                    "renewed_registration_id",
                ],
            )
        )
        return repse.Chain(
            [
                repse.Registration(
                    row["id"],
                    row["name"],
                    row["registration_date"],
                    row["cancel_date"] or None,
                    row["renewal_requested_date"] or None,
                    row["renewed_registration_id"]
                    and row["renewed_registration_id"][0],
                )
                for row in rows
            ],
            company.l10n_mx_icsoe_pending_renewal_valid,
        )

    def _is_valid_on(self, day):
        """True when this registration, or one it renews, covers ``day``."""
        self.ensure_one()
        if not day or not self.id:
            return False
        return bool(self._chain_of(self.company_id).valid_for(self.id, day))

    def _compute_state_today(self, chain_=None):
        self.ensure_one()
        chain_ = chain_ or self._chain_of(self.company_id)
        reg = chain_.by_id[self.id]
        today = self._today()
        if reg.cancel_date and reg.cancel_date <= today:
            return "cancelled"
        if chain_.successor(reg):
            return "renewed"
        if reg.renewal_requested:
            return (
                "renewal_requested"
                if chain_.is_valid_on(reg, today) or (today < reg.expiry_date)
                else "expired"
            )
        return "active" if today < reg.expiry_date else "expired"

    def _update_state(self):
        """Bring the state in line with the dates and today (Mexico City)."""
        chains = {}
        for reg in self:
            company = reg.company_id
            if company not in chains:
                chains[company] = self._chain_of(company)
            state = reg._compute_state_today(chains[company])
            if reg.state != state:
                reg.state = state

    # Kept for callers of version 1.
    def _update_expired_state(self):
        self._update_state()

    @api.model
    def _cron_update_state(self):
        # Every registration, whatever its state: a company has a handful.
        self.search([])._update_state()  # pylint: disable=no-search-all

    @api.model_create_multi
    def create(self, vals_list):
        regs = super().create(vals_list)
        (regs | regs.renewed_registration_id)._update_state()
        return regs

    def write(self, vals):
        old = self.renewed_registration_id
        res = super().write(vals)
        if {
            "registration_date",
            "renewal_requested_date",
            "cancel_date",
            "renewed_registration_id",
        } & set(vals):
            (self | old | self.renewed_registration_id)._update_state()
        return res

    # ---------------------------------------------------------------- actions

    def action_cancel(self):
        for reg in self:
            if reg.state == "cancelled":
                raise UserError(
                    self.env._(
                        "REPSE registration %(name)s is already cancelled.",
                        name=reg.name,
                    )
                )
        today = self._today()
        for reg in self:
            reg.cancel_date = reg.cancel_date or max(today, reg.registration_date)

    def action_reactivate(self):
        for reg in self:
            if reg.state != "cancelled":
                raise UserError(
                    self.env._(
                        "REPSE registration %(name)s is not cancelled.", name=reg.name
                    )
                )
        self.cancel_date = False

    def action_request_renewal(self):
        """Record that the renewal was requested today."""
        today = self._today()
        for reg in self:
            if reg.state not in ("active", "expired"):
                raise UserError(
                    self.env._(
                        "REPSE registration %(name)s is %(state)s: its renewal cannot be "
                        "requested.",
                        name=reg.name,
                        state=dict(REGISTRATION_STATES)[reg.state],
                    )
                )
            if not reg.renewal_date <= today < reg.expiry_date:
                raise UserError(
                    self.env._(
                        "REPSE registration %(name)s: the renewal is requested between "
                        "%(start)s and %(end)s (the 3 months before expiry). If it was "
                        "requested on another day, type that date in Renewal Requested On.",
                        name=reg.name,
                        start=reg.renewal_date,
                        end=reg.expiry_date - relativedelta(days=1),
                    )
                )
        self.renewal_requested_date = today

    def action_record_renewal(self):
        """Open a new registration that renews this one."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Renewal of %(name)s", name=self.name),
            "res_model": self._name,
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_company_id": self.company_id.id,
                "default_renewed_registration_id": self.id,
                "default_registration_date": max(
                    self.renewal_requested_date or self.expiry_date, self.expiry_date
                ),
            },
        }

    def action_open_contracts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contracts of %(name)s", name=self.name),
            "res_model": "l10n_mx_icsoe.contract",
            "view_mode": "list,form",
            "domain": [("repse_service_id.registration_id", "=", self.id)],
        }

    def action_move_contracts(self):
        """Move the contracts of the renewed registration to this one's services.

        Services are matched by description (spaces and case ignored), then by
        folio; what was filed keeps its own copy of the old service. All or
        nothing: one service without a match refuses the whole move.
        """
        self.ensure_one()
        old = self.renewed_registration_id
        if not old:
            raise UserError(
                self.env._(
                    "REPSE registration %(name)s renews no registration: set Renews first.",
                    name=self.name,
                )
            )
        contracts = self.env["l10n_mx_icsoe.contract"].search(
            [
                ("repse_service_id.registration_id", "=", old.id),
                ("state", "!=", "cancelled"),
            ]
        )
        if not contracts:
            raise UserError(
                self.env._(
                    "REPSE registration %(old)s has no contract to move.", old=old.name
                )
            )

        def key(text):
            return " ".join((text or "").split()).casefold()

        by_description = {key(s.description): s for s in self.service_ids}
        by_folio = {key(s.folio): s for s in self.service_ids}
        mapping = {}
        for service in contracts.repse_service_id:
            new = by_description.get(key(service.description)) or by_folio.get(
                key(service.folio)
            )
            if not new:
                raise UserError(
                    self.env._(
                        "REPSE registration %(name)s has no service matching %(service)s "
                        "of %(old)s: add it to Registered Services (same description), "
                        "or move those contracts one by one.",
                        name=self.name,
                        service=service.display_name,
                        old=old.name,
                    )
                )
            mapping[service] = new
        for service, new in mapping.items():
            contracts.filtered(
                lambda c, s=service: c.repse_service_id == s
            ).repse_service_id = new
        return self.action_open_contracts()


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
    registration_state = fields.Selection(
        related="registration_id.state", string="Registration State"
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
