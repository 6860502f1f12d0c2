"""Confirmed sale orders of REPSE services create and keep their ICSOE contracts.

Confirming an order creates, per REPSE service sold on it (a product tied to a
registered service of the order's company), one contract with the order's
customer, or uses the contract of that service picked on the order. The
contracts the order created follow it: cancelling the order cancels them and a
new Delivery Date moves their Start Date. A contract already reported in an
informativa that left draft is never changed that way: the order gets a note
saying what to file instead.

The work runs as superuser: the salesperson who confirms an order need not be
an ICSOE user, and only the contracts of the order are touched.
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

CONTRACT_GROUPS = "l10n_mx_icsoe.group_icsoe_user"


def reported_filings(contracts):
    """``{contract: filings}`` of the contracts reported in a filing that left draft.

    One query, whatever the number of contracts.
    """
    Filing = contracts.env["l10n_mx_icsoe.filing"].sudo()
    result = defaultdict(Filing.browse)
    if not contracts:
        return result
    lines = (
        contracts.env["l10n_mx_icsoe.filing.contract"]
        .sudo()
        .search(
            [
                ("contract_id", "in", contracts.ids),
                ("filing_id.state", "!=", "draft"),
            ]
        )
    )
    for line in lines:
        result[line.contract_id] |= line.filing_id
    return result


def filings_label(filings):
    return ", ".join(
        f"{filing.display_name} ({filing._state_label()})" for filing in filings
    )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    l10n_mx_icsoe_contract_ids = fields.Many2many(
        "l10n_mx_icsoe.contract",
        "l10n_mx_icsoe_contract_sale_order_rel",
        "order_id",
        "contract_id",
        string="ICSOE Contracts",
        copy=False,
        check_company=True,
        groups=CONTRACT_GROUPS,
        domain="[('company_id', '=', company_id), ('state', 'in', ('draft', 'active'))]",
        help="The ICSOE contracts of the REPSE services sold on this order. Before "
        "confirming, pick the existing contract of a service to sell it again under "
        "that contract; confirming creates one for each other service.",
    )
    l10n_mx_icsoe_contract_count = fields.Integer(
        string="ICSOE Contract Count",
        compute="_compute_l10n_mx_icsoe_contract_count",
        groups=CONTRACT_GROUPS,
    )

    @api.depends("l10n_mx_icsoe_contract_ids")
    def _compute_l10n_mx_icsoe_contract_count(self):
        for order in self:
            order.l10n_mx_icsoe_contract_count = len(order.l10n_mx_icsoe_contract_ids)

    def action_open_l10n_mx_icsoe_contracts(self):
        self.ensure_one()
        contracts = self.l10n_mx_icsoe_contract_ids
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("ICSOE Contracts of %(order)s", order=self.name),
            "res_model": "l10n_mx_icsoe.contract",
            "domain": [("id", "in", contracts.ids)],
            "view_mode": "list,form",
        }
        if len(contracts) == 1:
            action.update(view_mode="form", res_id=contracts.id)
        return action

    # ---------------------------------------------------------------- workflow

    def _action_confirm(self):
        result = super()._action_confirm()
        self.sudo()._l10n_mx_icsoe_confirm_contracts()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.sudo()._l10n_mx_icsoe_cancel_contracts()
        return result

    def write(self, vals):
        result = super().write(vals)
        if "commitment_date" in vals:
            confirmed = self.filtered(lambda order: order.state == "sale")
            if confirmed:
                confirmed.sudo()._l10n_mx_icsoe_sync_start_dates()
        return result

    # ---------------------------------------------------------------- helpers

    def _l10n_mx_icsoe_start_date(self):
        """The Delivery Date, else the confirmation date, as a Mexico City date."""
        self.ensure_one()
        moment = self.commitment_date or self.date_order
        return self.env["l10n_mx_icsoe.filing"]._mexico_date(moment)

    def _l10n_mx_icsoe_service_lines(self):
        """``{order: {service: lines}}``: the REPSE services sold on the orders.

        A product's service is the one set for the order's company.
        """
        result = {}
        for company, orders in self.grouped("company_id").items():
            lines = orders.order_line.filtered(
                lambda line: line.product_id and not line.display_type
            )
            templates = lines.product_template_id.with_company(company)
            service_of = {
                template.id: template.l10n_mx_icsoe_service_id for template in templates
            }
            for line in lines.sorted(lambda line: (line.sequence, line.id)):
                service = service_of[line.product_template_id.id]
                if service:
                    by_service = result.setdefault(line.order_id, {})
                    by_service[service] = by_service.get(service, lines.browse()) | line
        return result

    def _l10n_mx_icsoe_contract_vals(self, service, lines, several):
        self.ensure_one()
        descriptions = dict.fromkeys(
            " ".join((line.name or line.product_id.display_name).split())
            for line in lines
        )
        return {
            "name": f"{self.name}-{service.folio}" if several else self.name,
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.commercial_partner_id.id,
            "object": "\n".join(descriptions),
            "repse_service_id": service.id,
            "date_start": self._l10n_mx_icsoe_start_date(),
            "state": "active",
            "sale_order_id": self.id,
            "sale_order_ids": [Command.link(self.id)],
        }

    def _l10n_mx_icsoe_check_picked(self, by_service):
        """The contracts picked on the order before confirming must fit it."""
        self.ensure_one()
        client = self.partner_id.commercial_partner_id
        seen = {}
        for contract in self.l10n_mx_icsoe_contract_ids:
            service = contract.repse_service_id
            if contract.partner_id.commercial_partner_id != client:
                raise UserError(
                    self.env._(
                        "Sale order %(order)s: the ICSOE contract %(contract)s is with "
                        "%(client)s, not with the order's customer %(customer)s. Remove "
                        "it from the order's ICSOE Contracts, or pick a contract of "
                        "%(customer)s.",
                        order=self.name,
                        contract=contract.name,
                        client=contract.partner_id.commercial_partner_id.display_name,
                        customer=client.display_name,
                    )
                )
            if service not in by_service:
                raise UserError(
                    self.env._(
                        "Sale order %(order)s: the ICSOE contract %(contract)s is for the "
                        "REPSE service %(service)s, which no line of the order sells. "
                        "Remove it from the order's ICSOE Contracts, or add a product "
                        "of that service.",
                        order=self.name,
                        contract=contract.name,
                        service=service.display_name,
                    )
                )
            if service in seen:
                raise UserError(
                    self.env._(
                        "Sale order %(order)s: the ICSOE contracts %(first)s and "
                        "%(second)s are both for the REPSE service %(service)s. Keep "
                        "one of them in the order's ICSOE Contracts.",
                        order=self.name,
                        first=seen[service].name,
                        second=contract.name,
                        service=service.display_name,
                    )
                )
            seen[service] = contract
            if contract.state == "ended" or (
                contract.state == "cancelled" and contract.sale_order_id != self
            ):
                raise UserError(
                    self.env._(
                        "Sale order %(order)s: the ICSOE contract %(contract)s is "
                        "%(state)s. Remove it from the order's ICSOE Contracts to create "
                        "a new contract, or reopen it first.",
                        order=self.name,
                        contract=contract.name,
                        state=dict(
                            contract._fields["state"]._description_selection(self.env)
                        )[contract.state],
                    )
                )

    def _l10n_mx_icsoe_post(self, notes):
        """One note per order: ``notes`` is ``{order: [text, ...]}``."""
        for order, texts in notes.items():
            order.message_post(
                body=Markup("<br/>").join(texts), subtype_xmlid="mail.mt_note"
            )

    # ---------------------------------------------------------------- sync

    def _l10n_mx_icsoe_confirm_contracts(self):
        Contract = self.env["l10n_mx_icsoe.contract"]
        service_lines = self._l10n_mx_icsoe_service_lines()
        to_create, to_activate, to_reopen = [], Contract, Contract
        for order in self:
            by_service = service_lines.get(order, {})
            order._l10n_mx_icsoe_check_picked(by_service)
            for service, lines in by_service.items():
                contract = order.l10n_mx_icsoe_contract_ids.filtered(
                    lambda c, s=service: c.repse_service_id == s
                )
                if contract.state == "cancelled":
                    to_reopen |= contract
                elif contract.state == "draft":
                    to_activate |= contract
                elif not contract:
                    to_create.append(
                        order._l10n_mx_icsoe_contract_vals(
                            service, lines, len(by_service) > 1
                        )
                    )
        to_reopen.action_draft()
        (to_activate | to_reopen).action_activate()
        created = Contract.create(to_create)
        notes = defaultdict(list)
        for contract in created:
            notes[contract.sale_order_id].append(
                self.env._(
                    "ICSOE contract %(contract)s created: REPSE service %(service)s, "
                    "Start Date %(start)s.",
                    contract=contract.name,
                    service=contract.repse_service_id.display_name,
                    start=contract.date_start,
                )
            )
        for contract in to_activate | to_reopen:
            order = self.filtered(
                lambda o, c=contract: c in o.l10n_mx_icsoe_contract_ids
            )
            notes[order[:1]].append(
                self.env._(
                    "ICSOE contract %(contract)s is active.", contract=contract.name
                )
            )
        self._l10n_mx_icsoe_post(notes)
        if to_reopen:
            self._l10n_mx_icsoe_sync_start_dates()

    def _l10n_mx_icsoe_cancel_contracts(self):
        contracts = self.env["l10n_mx_icsoe.contract"].search(
            [("sale_order_id", "in", self.ids), ("state", "!=", "cancelled")]
        )
        reported = reported_filings(contracts)
        to_cancel = contracts.browse()
        notes = defaultdict(list)
        for contract in contracts:
            order = contract.sale_order_id
            others = contract.sale_order_ids.filtered(lambda o: o.state != "cancel")
            if contract in reported:
                notes[order].append(
                    self.env._(
                        "ICSOE contract %(contract)s was not cancelled: it was reported "
                        "in %(filings)s. File a Corrección (or a Sin efectos) of that "
                        "informativa to withdraw it, then cancel the contract by hand.",
                        contract=contract.name,
                        filings=filings_label(reported[contract]),
                    )
                )
            elif others:
                notes[order].append(
                    self.env._(
                        "ICSOE contract %(contract)s was not cancelled: the sale order(s) "
                        "%(orders)s still sell it.",
                        contract=contract.name,
                        orders=", ".join(others.mapped("name")),
                    )
                )
            elif contract.state == "ended":
                notes[order].append(
                    self.env._(
                        "ICSOE contract %(contract)s was not cancelled: it has ended.",
                        contract=contract.name,
                    )
                )
            else:
                to_cancel |= contract
                notes[order].append(
                    self.env._(
                        "ICSOE contract %(contract)s cancelled with the order.",
                        contract=contract.name,
                    )
                )
        to_cancel.action_cancel()
        self._l10n_mx_icsoe_post(notes)

    def _l10n_mx_icsoe_sync_start_dates(self):
        """The contracts created by the orders start on the orders' start date."""
        Contract = self.env["l10n_mx_icsoe.contract"]
        contracts = Contract.search(
            [("sale_order_id", "in", self.ids), ("state", "!=", "cancelled")]
        )
        moves = {}
        for contract in contracts:
            day = contract.sale_order_id._l10n_mx_icsoe_start_date()
            if contract.date_start != day:
                moves[contract] = day
        reported = reported_filings(Contract.browse([c.id for c in moves]))
        by_day = defaultdict(Contract.browse)
        notes = defaultdict(list)
        for contract, day in moves.items():
            order = contract.sale_order_id
            if contract in reported:
                notes[order].append(
                    self.env._(
                        "ICSOE contract %(contract)s keeps its Start Date %(old)s: it "
                        "was reported in %(filings)s. If the service starts on %(new)s, "
                        "correct the contract by hand and file a Corrección of that "
                        "informativa.",
                        contract=contract.name,
                        old=contract.date_start,
                        new=day,
                        filings=filings_label(reported[contract]),
                    )
                )
            else:
                by_day[day] |= contract
                notes[order].append(
                    self.env._(
                        "ICSOE contract %(contract)s: Start Date moved from %(old)s to "
                        "%(new)s.",
                        contract=contract.name,
                        old=contract.date_start,
                        new=day,
                    )
                )
        for day, group in by_day.items():
            group.write({"date_start": day})
        self._l10n_mx_icsoe_post(notes)
