"""What SISUB asks of a contract beyond the ICSOE: work sites and amendments."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: The parts of a work site address the SISUB worker detail needs.
SITE_REQUIRED = ("street", "street_number", "colony", "zip", "city", "state_id")


class L10nMxIcsoeWorkSite(models.Model):
    """Where a contract's service is rendered (the SISUB work-centre address)."""

    _name = "l10n_mx_icsoe.work.site"
    _description = "Work Site"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "l10n_mx_icsoe.contract",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True, precompute=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Site", help="e.g. Planta Norte.")
    street = fields.Char(required=True)
    street_number = fields.Char(string="Exterior Number")
    street_number2 = fields.Char(string="Interior Number")
    colony = fields.Char(string="Colonia")
    zip = fields.Char(string="ZIP")
    city = fields.Char(string="Municipality")
    state_id = fields.Many2one(
        "res.country.state", domain="[('country_id.code', '=', 'MX')]"
    )
    is_complete = fields.Boolean(
        string="Complete",
        compute="_compute_is_complete",
        help="Street, exterior number, colonia, ZIP, municipality and state are set, "
        "as the SISUB worker detail asks.",
    )

    @api.depends(*SITE_REQUIRED)
    def _compute_is_complete(self):
        for site in self:
            site.is_complete = all(site[f] for f in SITE_REQUIRED)

    @api.depends("name", "street", "street_number", "colony", "city")
    def _compute_display_name(self):
        for site in self:
            address = " ".join(p for p in (site.street, site.street_number) if p)
            address = ", ".join(p for p in (address, site.colony, site.city) if p)
            site.display_name = (
                f"{site.name} — {address}" if site.name and address else site.name
            ) or address

    @api.constrains("zip")
    def _check_zip(self):
        for site in self:
            if site.zip and not (site.zip.isdigit() and len(site.zip) == 5):
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s, work site %(site)s: the ZIP '%(zip)s' "
                        "must be the 5 digits of a Mexican código postal.",
                        contract=site.contract_id.name,
                        site=site.display_name,
                        zip=site.zip,
                    )
                )


class L10nMxIcsoeContractAmendment(models.Model):
    """A change of a contract's amount without VAT, from a date on."""

    _name = "l10n_mx_icsoe.contract.amendment"
    _description = "Contract Amendment"
    _order = "contract_id, date desc, id desc"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "l10n_mx_icsoe.contract",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True, precompute=True
    )
    date = fields.Date(required=True, help="From this date on the amount applies.")
    amount_untaxed = fields.Float(
        string="New Amount without VAT",
        digits=(16, 2),
        required=True,
        help="The contract's whole value without VAT after this amendment.",
    )
    name = fields.Char(string="Description")
    document = fields.Binary(string="Amendment (PDF)", attachment=True)
    document_filename = fields.Char()

    @api.constrains("amount_untaxed", "date", "contract_id")
    def _check_amendment(self):
        for amendment in self:
            contract = amendment.contract_id
            if amendment.amount_untaxed < 0:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: the amendment of %(date)s has a negative "
                        "New Amount without VAT.",
                        contract=contract.name,
                        date=amendment.date,
                    )
                )
            if amendment.date < contract.date_start:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: the amendment Date %(date)s is before "
                        "the contract's Start Date %(start)s.",
                        contract=contract.name,
                        date=amendment.date,
                        start=contract.date_start,
                    )
                )
