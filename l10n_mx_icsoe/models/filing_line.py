from odoo import api, fields, models
from odoo.exceptions import UserError

from .guard import is_internal
from .res_partner import PERSON_TYPES


def source_action(record, view_xmlid=None):
    """``record`` in a dialog, to fix what the checks found there."""
    view = view_xmlid and record.env.ref(view_xmlid, raise_if_not_found=False)
    return {
        "type": "ir.actions.act_window",
        "name": record.display_name,
        "res_model": record._name,
        "res_id": record.id,
        "view_mode": "form",
        "views": [(view.id if view else False, "form")],
        "target": "new",
        "context": {"dialog_size": "large"},
    }


class L10nMxIcsoeFilingLineMixin(models.AbstractModel):
    """Lines of a filing: copies of the sources, frozen once the filing leaves draft."""

    _name = "l10n_mx_icsoe.filing.line.mixin"
    _description = "ICSOE Filing Line"
    _check_company_auto = True

    filing_id = fields.Many2one(
        "l10n_mx_icsoe.filing",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    is_ok = fields.Boolean(string="OK", default=True)
    error_text = fields.Text(string="Errors")
    warning_text = fields.Text(string="Warnings")
    # [{code, severity, message}] of the check catalogue, written with the texts
    problems = fields.Json(string="Check Results", readonly=True, copy=False)

    def _check_filing_editable(self):
        for filing in self.filing_id:
            if filing.state != "draft":
                raise UserError(
                    self.env._(
                        "%(filing)s is %(state)s: its lines cannot be changed. "
                        "Reset it to draft, or file a Corrección.",
                        filing=filing.display_name,
                        state=filing._state_label(),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._check_filing_editable()
        return records

    def write(self, vals):
        self._check_filing_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_in_draft(self):
        self._check_filing_editable()

    # ------------------------------------------------------------ acting on checks

    def _open_source(self, record, view_xmlid=None):
        """The source record of this line in a dialog, to fix what the checks found."""
        self.ensure_one()
        if not record:
            raise UserError(
                self.env._(
                    "%(line)s of %(filing)s has no source record left to open.",
                    line=self.display_name,
                    filing=self.filing_id.display_name,
                )
            )
        return source_action(record, view_xmlid)

    def _recheck_key(self):
        """What identifies this line again once the filing is regenerated."""
        raise NotImplementedError

    def _find_by_key(self, filing, key):
        raise NotImplementedError

    def action_recheck(self):
        """Read this line's sources again (the filing is regenerated) and report it."""
        self.ensure_one()
        filing = self.filing_id
        key, label = self._recheck_key(), self.display_name
        filing.action_generate()
        line = self._find_by_key(filing, key)
        if not line:
            message = self.env._(
                "%(line)s is no longer in %(filing)s (its source changed); the "
                "informativa was regenerated.",
                line=label,
                filing=filing.display_name,
            )
            kind = "warning"
        elif not line.is_ok:
            message = self.env._(
                "%(line)s still has errors: %(errors)s",
                line=label,
                errors=line.error_text,
            )
            kind = "danger"
        else:
            message = self.env._("%(line)s: no error left.", line=label)
            kind = "warning" if line.warning_text else "success"
        message += " " + self.env._(
            "%(filing)s: %(errors)s error(s), %(warnings)s warning(s) in all.",
            filing=filing.display_name,
            errors=filing.error_count,
            warnings=filing.warning_count,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Re-checked"),
                "message": message,
                "type": kind,
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }


class L10nMxIcsoeFilingContract(models.Model):
    _name = "l10n_mx_icsoe.filing.contract"
    _inherit = "l10n_mx_icsoe.filing.line.mixin"
    _description = "ICSOE Filing Contract"
    _order = "is_ok, sequence, id"
    _rec_name = "reference"

    sequence = fields.Integer()
    # Sources cannot be deleted while a filing line points at them.
    contract_id = fields.Many2one(
        "l10n_mx_icsoe.contract",
        string="Source Contract",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    reference = fields.Char()
    partner_id = fields.Many2one(
        "res.partner", string="Client", ondelete="restrict", check_company=True
    )
    client_rfc = fields.Char(string="Client RFC")
    client_name = fields.Char()
    client_person_type = fields.Selection(PERSON_TYPES, string="Person Type")
    client_email = fields.Char(string="Client E-mail")
    client_mobile = fields.Char()
    client_phone = fields.Char(string="Client Landline")
    client_other_address = fields.Boolean(string="Address Differs from Fiscal")
    client_street = fields.Char()
    client_street_number = fields.Char()
    client_street_number2 = fields.Char()
    client_colony = fields.Char()
    client_between_streets = fields.Char(string="Between Streets")
    client_zip = fields.Char()
    client_city = fields.Char()
    client_state = fields.Char()
    object = fields.Text(string="Objeto del contrato")
    service_id = fields.Many2one(
        "l10n_mx_icsoe.repse.service",
        string="REPSE Service",
        ondelete="restrict",
        check_company=True,
    )
    service_text = fields.Char(string="Servicio u obra especializado")
    registration_id = fields.Many2one(
        "l10n_mx_icsoe.repse.registration",
        string="REPSE Registration",
        ondelete="restrict",
        check_company=True,
    )
    date_start = fields.Date(string="Start Date")
    date_end = fields.Date(string="End Date")
    worker_count = fields.Integer(string="Workers")
    worker_ids = fields.One2many(
        "l10n_mx_icsoe.filing.worker", "filing_contract_id", string="Worker Lines"
    )
    imss_folio = fields.Char(
        string="IMSS Contract Folio",
        help="Folio IMSS gives the contract, e.g. A26P3662382.",
    )
    problem_ids = fields.One2many(
        "l10n_mx_icsoe.report.problem",
        "filing_contract_id",
        string="Problems",
        domain=[("level", "=", "contract")],
    )

    def write(self, vals):
        # The IMSS contract folio is recorded when the filing is registered as filed
        # (filing._set_contract_folios, managers only).
        if (
            is_internal(self)
            and set(vals) == {"imss_folio"}
            and all(line.filing_id.state == "confirmed" for line in self)
        ):
            return super(L10nMxIcsoeFilingLineMixin, self).write(vals)
        return super().write(vals)

    def action_open_contract(self):
        self.ensure_one()
        return self._open_source(self.contract_id)

    def action_open_client(self):
        self.ensure_one()
        return self._open_source(
            self.partner_id, "l10n_mx_icsoe.res_partner_view_form_icsoe_client"
        )

    def action_open_registration(self):
        self.ensure_one()
        return self._open_source(self.registration_id)

    def _recheck_key(self):
        return self.contract_id.id

    def _find_by_key(self, filing, key):
        return filing.contract_line_ids.filtered(
            lambda line: line.contract_id.id == key
        )

    def action_download_csv(self):
        """The worker CSV of this contract as frozen at confirmation."""
        self.ensure_one()
        return self.filing_id._contract_csv_action(self)

    def _snapshot_dicts(self):
        """Plain dicts of these lines with their workers (snapshot, diff), in two reads."""
        workers = self.env["l10n_mx_icsoe.filing.worker"].search_read(
            [("filing_contract_id", "in", self.ids)],
            ["filing_contract_id", "nss", "curp", "sbc", "name"],
            order="nss, id",
        )
        by_line = {}
        for worker in workers:
            by_line.setdefault(worker["filing_contract_id"][0], []).append(
                {k: worker[k] for k in ("nss", "curp", "sbc", "name")}
            )
        return [line._snapshot_dict(by_line.get(line.id, [])) for line in self]

    def _snapshot_dict(self, workers):
        self.ensure_one()
        address = None
        if self.client_other_address:
            address = {
                "street": self.client_street,
                "number": self.client_street_number,
                "number2": self.client_street_number2,
                "colony": self.client_colony,
                "zip": self.client_zip,
                "city": self.client_city,
                "state": self.client_state,
            }
        return {
            "contract_id": self.contract_id.id,
            "sequence": self.sequence,
            "reference": self.reference,
            "object": self.object,
            "service_text": self.service_text,
            "date_start": self.date_start,
            "date_end": self.date_end or None,
            "client_rfc": self.client_rfc,
            "client_name": self.client_name,
            "client_person_type": self.client_person_type,
            "client_email": self.client_email,
            "client_mobile": self.client_mobile,
            "client_phone": self.client_phone or None,
            "client_address": address,
            "workers": workers,
        }


class L10nMxIcsoeFilingWorker(models.Model):
    _name = "l10n_mx_icsoe.filing.worker"
    _inherit = "l10n_mx_icsoe.filing.line.mixin"
    _description = "ICSOE Filing Worker"
    # Ordered on a copied integer, not on the contract line: no join when reading.
    _order = "is_ok, contract_sequence, name, id"

    filing_contract_id = fields.Many2one(
        "l10n_mx_icsoe.filing.contract",
        string="Contract",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    contract_sequence = fields.Integer(string="Contract #")
    # Not company-checked: a worker who moved to another company since is still
    # reported by the company that placed him (with that company's data).
    employee_id = fields.Many2one(
        "hr.employee", string="Source Employee", index=True, ondelete="restrict"
    )
    name = fields.Char(string="Worker")
    nss = fields.Char(string="NSS")
    curp = fields.Char(string="CURP")
    sbc = fields.Float(string="SBC", digits=(16, 2))
    sbc_date = fields.Date(string="SBC Valid From")
    date_assigned = fields.Date(
        string="Assigned From",
        help="First day of the worker's assignment to the contract; it may fall after "
        "the period when the worker joins later.",
    )

    def action_open_contract(self):
        self.ensure_one()
        return self._open_source(self.filing_contract_id.contract_id)

    def action_open_employee(self):
        self.ensure_one()
        return self._open_source(
            self.employee_id, "l10n_mx_icsoe.hr_employee_view_form_icsoe_worker"
        )

    def _recheck_key(self):
        return (self.filing_contract_id.contract_id.id, self.employee_id.id)

    def _find_by_key(self, filing, key):
        return filing.worker_line_ids.filtered(
            lambda line: (
                (line.filing_contract_id.contract_id.id, line.employee_id.id) == key
            )
        )
