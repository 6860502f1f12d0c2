from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..icsoe.identifiers import IdentifierError, check_rfc, compact
from ..icsoe.sisub import NrpError, compact_nrp, validate_nrp
from .common import identifier_message
from .sisub_nrp import nrp_message

PERSON_TYPES = [("fisica", "Persona física"), ("moral", "Persona moral")]
GENERIC_RFC_TYPES = [
    ("national", "Generic RFC (XAXX010101000, público en general)"),
    ("foreign", "Generic RFC for foreigners (XEXX010101000)"),
]


def partner_rfc(vat):
    """The RFC held in ``vat``, without spaces and without an 'MX' country prefix."""
    value = compact(vat or "")
    if value.startswith("MX") and len(value) in (14, 15):
        value = value[2:]
    return value


class ResPartner(models.Model):
    _inherit = "res.partner"

    l10n_mx_icsoe_person_type = fields.Selection(
        PERSON_TYPES,
        string="Person Type (RFC)",
        compute="_compute_l10n_mx_icsoe_rfc",
        store=True,
        help="Derived from the RFC: 13 characters for a persona física, 12 for a moral.",
    )
    l10n_mx_icsoe_rfc_generic = fields.Selection(
        GENERIC_RFC_TYPES,
        string="Generic RFC",
        compute="_compute_l10n_mx_icsoe_rfc",
        store=True,
    )
    l10n_mx_icsoe_rfc_warning = fields.Char(
        string="RFC Warning", compute="_compute_l10n_mx_icsoe_rfc", store=True
    )
    l10n_mx_icsoe_foreign_resident = fields.Boolean(
        string="Foreign Resident without Permanent Establishment",
        help="A client resident abroad without a permanent establishment in Mexico. "
        "IMSS does not receive its contracts in the ICSOE (a period with only such "
        "contracts is 'Sin información'); its Tax ID is a foreign one, not an RFC.",
    )
    l10n_mx_icsoe_other_address = fields.Boolean(
        string="Social/Conventional Address Differs from Fiscal",
        help="IMSS asks for the domicilio social or convencional when it differs "
        "from the fiscal address.",
    )
    l10n_mx_icsoe_street = fields.Char(string="Street (ICSOE)")
    l10n_mx_icsoe_street_number = fields.Char(string="Exterior Number (ICSOE)")
    l10n_mx_icsoe_street_number2 = fields.Char(string="Interior Number (ICSOE)")
    l10n_mx_icsoe_colony = fields.Char(string="Colonia (ICSOE)")
    l10n_mx_icsoe_between_streets = fields.Char(
        string="Between Streets (ICSOE)",
        help="The 'entre calles' of the social or conventional address, as the IMSS "
        "form asks.",
    )
    l10n_mx_icsoe_zip = fields.Char(string="ZIP (ICSOE)")
    l10n_mx_icsoe_city = fields.Char(string="Municipality (ICSOE)")
    l10n_mx_icsoe_state_id = fields.Many2one(
        "res.country.state",
        string="State (ICSOE)",
        domain="[('country_id.code', '=', 'MX')]",
    )
    l10n_mx_icsoe_nrp = fields.Char(
        string="Registro Patronal (NRP)",
        help="The client's IMSS employer registration number, asked by the INFONAVIT "
        "SISUB report (11 characters). When the client has none, the company setting "
        "'Client without NRP' applies.",
    )

    @api.depends("vat", "country_id", "l10n_mx_icsoe_foreign_resident")
    def _compute_l10n_mx_icsoe_rfc(self):
        for partner in self:
            partner.l10n_mx_icsoe_person_type = False
            partner.l10n_mx_icsoe_rfc_generic = False
            partner.l10n_mx_icsoe_rfc_warning = False
            if not partner._l10n_mx_icsoe_is_mexican() or not partner.vat:
                continue
            try:
                info = check_rfc(partner_rfc(partner.vat))
            except IdentifierError:
                continue
            partner.l10n_mx_icsoe_person_type = info.person_type
            partner.l10n_mx_icsoe_rfc_generic = info.generic or False
            if info.generic:
                partner.l10n_mx_icsoe_rfc_warning = self.env._(
                    "Generic RFC: IMSS cannot identify this client; contracts with "
                    "foreign companies without a permanent establishment are not reported."
                )
            elif not info.checksum_ok:
                partner.l10n_mx_icsoe_rfc_warning = self.env._(
                    "The RFC check digit does not match; SAT has issued such RFCs, "
                    "verify it against the Constancia de Situación Fiscal."
                )

    def _l10n_mx_icsoe_is_mexican(self):
        """Whether ``vat`` holds an RFC (a foreign resident holds a foreign tax ID)."""
        self.ensure_one()
        if self.commercial_partner_id.l10n_mx_icsoe_foreign_resident:
            return False
        return self.country_id.code == "MX" or (
            not self.country_id
            and (self.company_id or self.env.company).country_id.code == "MX"
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("l10n_mx_icsoe_nrp"):
                vals["l10n_mx_icsoe_nrp"] = compact_nrp(vals["l10n_mx_icsoe_nrp"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("l10n_mx_icsoe_nrp"):
            vals = dict(vals, l10n_mx_icsoe_nrp=compact_nrp(vals["l10n_mx_icsoe_nrp"]))
        return super().write(vals)

    @api.constrains("l10n_mx_icsoe_nrp")
    def _check_l10n_mx_icsoe_nrp(self):
        for partner in self:
            if not partner.l10n_mx_icsoe_nrp:
                continue
            try:
                validate_nrp(partner.l10n_mx_icsoe_nrp)
            except NrpError as error:
                raise ValidationError(
                    nrp_message(
                        self.env,
                        error,
                        partner.display_name,
                        self.env._("Registro Patronal (NRP)"),
                    )
                ) from error

    @api.constrains("vat", "country_id", "l10n_mx_icsoe_foreign_resident")
    def _check_l10n_mx_icsoe_rfc(self):
        for partner in self:
            if not partner.vat or not partner._l10n_mx_icsoe_is_mexican():
                continue
            try:
                check_rfc(partner_rfc(partner.vat))
            except IdentifierError as error:
                raise ValidationError(
                    identifier_message(
                        self.env,
                        error,
                        partner.display_name,
                        self.env._("RFC (Tax ID)"),
                    )
                ) from error

    def action_l10n_mx_icsoe_open_contracts(self):
        """Smart button: the specialised-service contracts of this client."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contracts of %(client)s", client=self.display_name),
            "res_model": "l10n_mx_icsoe.contract",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("partner_id", "child_of", self.commercial_partner_id.id)],
            "context": {"default_partner_id": self.id},
        }
