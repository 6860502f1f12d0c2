from odoo import api, fields, models

SALE_GROUPS = "sales_team.group_sale_salesman"


class L10nMxIcsoeContract(models.Model):
    _inherit = "l10n_mx_icsoe.contract"

    sale_order_id = fields.Many2one(
        "sale.order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        groups=SALE_GROUPS,
        help="The sale order this contract was created from: cancelling it cancels "
        "the contract, and its Delivery Date is the contract's Start Date.",
    )
    sale_order_ids = fields.Many2many(
        "sale.order",
        "l10n_mx_icsoe_contract_sale_order_rel",
        "contract_id",
        "order_id",
        string="Sale Orders",
        copy=False,
        readonly=True,
        check_company=True,
        groups=SALE_GROUPS,
        help="Every confirmed sale order of this contract: the one it was created "
        "from and those that were linked to it.",
    )
    sale_order_count = fields.Integer(
        compute="_compute_sale_order_count", groups=SALE_GROUPS
    )

    @api.depends("sale_order_ids")
    def _compute_sale_order_count(self):
        for contract in self:
            contract.sale_order_count = len(contract.sale_order_ids)

    def action_open_sale_orders(self):
        self.ensure_one()
        orders = self.sale_order_ids
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Sale Orders of %(contract)s", contract=self.name),
            "res_model": "sale.order",
            "domain": [("id", "in", orders.ids)],
            "view_mode": "list,form",
        }
        if len(orders) == 1:
            action.update(view_mode="form", res_id=orders.id)
        return action
