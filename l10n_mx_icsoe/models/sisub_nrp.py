"""The company's registros patronales (NRP), one marked principal (SISUB).

INFONAVIT's Portal Empresarial is entered with the NRP marked principal and one
SISUB report covers every NRP of the RFC (domain notes §8.1 [S2]).
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..icsoe.sisub import NrpError, compact_nrp, validate_nrp


def nrp_message(env, error, record_name, field_label):
    """A translated message for an :class:`NrpError`: record, field, what to do."""
    reasons = {
        "empty": env._("it is empty"),
        "nrp_length": env._("a registro patronal has exactly 11 characters"),
        "nrp_format": env._(
            "a registro patronal is a letter or digit followed by 10 digits "
            "(municipality key, progressive number, modality, check digit)"
        ),
    }
    return env._(
        "%(record)s: %(field)s '%(value)s' is not valid: %(reason)s. Type it as on "
        "the IMSS registration (e.g. Y6012345104).",
        record=record_name,
        field=field_label,
        value=error.value or "",
        reason=reasons.get(error.code, str(error)),
    )


class L10nMxIcsoeNrp(models.Model):
    """A registro patronal (employer registration number) of the company."""

    _name = "l10n_mx_icsoe.nrp"
    _description = "Registro Patronal (NRP)"
    _order = "company_id, is_principal desc, name"
    _check_company_auto = True

    name = fields.Char(
        string="Registro Patronal",
        required=True,
        help="The IMSS employer registration number: 11 characters, e.g. Y6012345104.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    is_principal = fields.Boolean(
        string="Principal",
        help="The NRP the INFONAVIT Portal Empresarial is entered with; the SISUB "
        "report of the company is filed under it.",
    )
    description = fields.Char(help="Where it is registered, e.g. Querétaro.")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "company_name_unique",
            "unique(company_id, name)",
            "This registro patronal is already recorded for the company.",
        ),
    ]

    @api.depends("name", "description")
    def _compute_display_name(self):
        for nrp in self:
            nrp.display_name = (
                f"{nrp.name} ({nrp.description})" if nrp.description else nrp.name
            )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalize(dict(vals)) for vals in vals_list]
        principal_companies = [
            vals.get("company_id") or self.env.company.id
            for vals in vals_list
            if vals.get("is_principal")
        ]
        if principal_companies:
            self.search(
                [
                    ("company_id", "in", principal_companies),
                    ("is_principal", "=", True),
                ]
            ).write({"is_principal": False})
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("is_principal"):
            self._unset_other_principals()
        return super().write(self._normalize(dict(vals)))

    @staticmethod
    def _normalize(vals):
        if vals.get("name"):
            vals["name"] = compact_nrp(vals["name"])
        return vals

    def _unset_other_principals(self):
        """One principal NRP per company: marking one unmarks the others."""
        others = self.search(
            [
                ("company_id", "in", self.company_id.ids),
                ("is_principal", "=", True),
                ("id", "not in", self.ids),
            ]
        )
        others.write({"is_principal": False})

    @api.constrains("name")
    def _check_name(self):
        for nrp in self:
            try:
                validate_nrp(nrp.name)
            except NrpError as error:
                raise ValidationError(
                    nrp_message(
                        self.env,
                        error,
                        nrp.company_id.name,
                        self.env._("Registro Patronal"),
                    )
                ) from error

    @api.constrains("is_principal", "company_id")
    def _check_one_principal(self):
        groups = self._read_group(
            [
                ("company_id", "in", self.company_id.ids),
                ("is_principal", "=", True),
            ],
            ["company_id"],
            ["__count"],
        )
        for company, count in groups:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s: only one registro patronal can be the Principal; "
                        "untick the others.",
                        company=company.name,
                    )
                )

    @api.model
    def _principal_of(self, company):
        return self.search(
            [("company_id", "=", company.id), ("is_principal", "=", True)], limit=1
        )
