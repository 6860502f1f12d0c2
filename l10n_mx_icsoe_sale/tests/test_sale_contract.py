from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_mx_icsoe.tests.test_filing import IcsoeFilingCase


class IcsoeSaleCase(IcsoeFilingCase):
    """Company A sells its two REPSE services; the clock stands on 5 May 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Contract = cls.env["l10n_mx_icsoe.contract"]
        cls.salesman = new_test_user(
            cls.env,
            login="salesman_a",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_a.id,
            company_ids=cls.company_a.ids,
        )
        cls.maintenance_service = cls.registration.service_ids[1]
        Product = cls.env["product.product"]
        cls.cleaning = Product.create(
            {"name": "Limpieza industrial", "type": "service", "list_price": 1000}
        )
        cls.maintenance = Product.create(
            {"name": "Mantenimiento de maquinaria", "type": "service"}
        )
        cls.supplies = Product.create({"name": "Consumibles", "type": "consu"})
        for product, service in (
            (cls.cleaning, cls.service),
            (cls.maintenance, cls.maintenance_service),
        ):
            product.product_tmpl_id.with_company(
                cls.company_a
            ).l10n_mx_icsoe_service_id = service
        # Orders go to a contact of the client: the contract is with the company.
        cls.contact = cls.env["res.partner"].create(
            {"name": "Ana Compras", "parent_id": cls.client.id, "type": "contact"}
        )

    def _order(self, lines=None, user=None, company=None, **vals):
        company = company or self.company_a
        lines = lines or [(self.cleaning, "Limpieza de la nave 3")]
        Order = self.env["sale.order"].with_user(user or self.salesman)
        return Order.with_company(company).create(
            {
                "partner_id": self.contact.id,
                "company_id": company.id,
                # 03:00 UTC on 2 March is still 1 March in Mexico City.
                "commitment_date": datetime(2026, 3, 2, 3, 0),
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "name": name, "product_uom_qty": 1}
                    )
                    for product, name in lines
                ],
                **vals,
            }
        )

    def _contracts(self, order):
        return order.sudo().l10n_mx_icsoe_contract_ids

    def _notes(self, order):
        return "\n".join(order.sudo().message_ids.mapped("body"))

    def _cancel(self, order):
        order.with_context(disable_cancel_warning=True).action_cancel()


@tagged("post_install", "-at_install")
class TestOrderToContract(IcsoeSaleCase):
    def test_confirm_creates_the_contract(self):
        order = self._order(
            lines=[
                (self.cleaning, "Limpieza de la nave 3\n  turno   nocturno"),
                (self.supplies, "Consumibles de limpieza"),
            ]
        )
        self.assertFalse(self._contracts(order))
        # A salesperson without ICSOE rights confirms: the contract is created.
        order.action_confirm()
        contract = self._contracts(order)
        self.assertEqual(len(contract), 1)
        self.assertRecordValues(
            contract,
            [
                {
                    "name": order.name,
                    "company_id": self.company_a.id,
                    "partner_id": self.client.id,
                    "repse_service_id": self.service.id,
                    "date_start": date(2026, 3, 1),
                    "date_end": False,
                    "state": "active",
                    "sale_order_id": order.id,
                    "sale_order_ids": order.ids,
                    "object": "Limpieza de la nave 3 turno nocturno",
                }
            ],
        )
        self.assertIn(f"ICSOE contract {order.name} created", self._notes(order))
        # The ICSOE user sees it in the contracts, the order sees its contract.
        self.assertIn(contract, self.Contract.with_user(self.icsoe_user).search([]))
        action = order.sudo().action_open_l10n_mx_icsoe_contracts()
        self.assertEqual(action["res_id"], contract.id)
        self.assertEqual(contract.sale_order_count, 1)

    def test_start_date_from_confirmation_date_in_mexico_city(self):
        order = self._order(commitment_date=False)
        # 03:00 UTC on 1 April is 31 March in Mexico City.
        with freeze_time("2026-04-01 03:00:00"):
            order.action_confirm()
        self.assertEqual(self._contracts(order).date_start, date(2026, 3, 31))

    def test_order_without_repse_service_creates_nothing(self):
        order = self._order(lines=[(self.supplies, "Consumibles")])
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._contracts(order))
        self.assertFalse(self.Contract.search([("sale_order_id", "=", order.id)]))

    def test_two_services_two_contracts(self):
        order = self._order(
            lines=[
                (self.cleaning, "Limpieza de la nave 3"),
                (self.maintenance, "Mantenimiento de prensas"),
                (self.cleaning, "Limpieza de oficinas"),
            ]
        )
        order.action_confirm()
        contracts = self._contracts(order).sorted("name")
        self.assertRecordValues(
            contracts,
            [
                {
                    "name": f"{order.name}-10001",
                    "repse_service_id": self.service.id,
                    "object": "Limpieza de la nave 3\nLimpieza de oficinas",
                },
                {
                    "name": f"{order.name}-10002",
                    "repse_service_id": self.maintenance_service.id,
                    "object": "Mantenimiento de prensas",
                },
            ],
        )

    def test_link_existing_contract(self):
        order = self._order(
            lines=[
                (self.cleaning, "Limpieza, segundo año"),
                (self.maintenance, "Mantenimiento de prensas"),
            ]
        )
        order.sudo().l10n_mx_icsoe_contract_ids = self.c1
        order.action_confirm()
        contracts = self._contracts(order)
        # The cleaning line is sold under C1; maintenance gets its own contract.
        self.assertEqual(len(contracts), 2)
        self.assertIn(self.c1, contracts)
        new = contracts - self.c1
        self.assertEqual(new.repse_service_id, self.maintenance_service)
        self.assertIn(order, self.c1.sale_order_ids)
        self.assertFalse(self.c1.sale_order_id)
        self.assertEqual(self.c1.object, "Limpieza de la planta")
        # The linked contract does not follow the order: only the created one does.
        order.commitment_date = datetime(2026, 3, 20, 18, 0)
        self.assertEqual(self.c1.date_start, date(2026, 2, 10))
        self.assertEqual(new.date_start, date(2026, 3, 20))
        self._cancel(order)
        self.assertEqual(self.c1.state, "active")
        self.assertEqual(new.state, "cancelled")

    def test_linked_contract_must_fit_the_order(self):
        other_client = self.client.copy({"name": "Otro Cliente", "vat": False})
        alien = self.Contract.create(
            self._contract_vals(name="ALIEN", partner_id=other_client.id)
        )
        order = self._order()
        order.sudo().l10n_mx_icsoe_contract_ids = alien
        # assertRaises (not ...Regex) rolls back to a savepoint, as a request would.
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertRegex(str(error.exception), f"{order.name}.*ALIEN.*Otro Cliente")
        # Nothing half-written: the order is still a quotation, no contract exists.
        self.assertEqual(order.state, "draft")
        self.assertFalse(self.Contract.search([("sale_order_id", "=", order.id)]))
        order.sudo().l10n_mx_icsoe_contract_ids = self.Contract.create(
            self._contract_vals(
                name="MAINT", repse_service_id=self.maintenance_service.id
            )
        )
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertRegex(str(error.exception), "MAINT.*no line of the order sells")
        self.assertEqual(order.state, "draft")

    def test_cancel_cancels_and_reconfirm_reopens(self):
        order = self._order()
        order.action_confirm()
        contract = self._contracts(order)
        self._cancel(order)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(contract.state, "cancelled")
        self.assertIn("cancelled with the order", self._notes(order))
        # Back to quotation, new date, confirmed again: the same contract returns.
        order.action_draft()
        order.commitment_date = datetime(2026, 3, 10, 18, 0)
        order.action_confirm()
        self.assertEqual(self._contracts(order), contract)
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.date_start, date(2026, 3, 10))
        self.assertEqual(
            self.Contract.search_count([("sale_order_id", "=", order.id)]), 1
        )

    def test_commitment_date_moves_the_start_date(self):
        order = self._order()
        order.action_confirm()
        contract = self._contracts(order)
        order.commitment_date = datetime(2026, 3, 20, 17, 0)
        self.assertEqual(contract.date_start, date(2026, 3, 20))
        self.assertIn("moved from 2026-03-01 to 2026-03-20", self._notes(order))
        # No Delivery Date: the confirmation date (5 May in Mexico City).
        order.commitment_date = False
        self.assertEqual(contract.date_start, date(2026, 5, 5))

    def test_reported_contract_is_not_touched(self):
        order = self._order(commitment_date=datetime(2026, 3, 3, 18, 0))
        order.action_confirm()
        contract = self._contracts(order)
        contract.assignment_ids = [
            Command.create(
                {"employee_id": self.workers[0].id, "date_from": date(2026, 3, 3)}
            )
        ]
        filing = self._confirmed()
        self.assertIn(contract, filing.contract_line_ids.contract_id)
        order.commitment_date = datetime(2026, 4, 15, 18, 0)
        self.assertEqual(contract.date_start, date(2026, 3, 3))
        notes = self._notes(order)
        self.assertIn("keeps its Start Date 2026-03-03: it was reported in", notes)
        self.assertIn(filing.display_name, notes)
        self._cancel(order)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(contract.state, "active")
        self.assertIn(
            f"ICSOE contract {contract.name} was not cancelled: it was reported",
            self._notes(order),
        )
        self.assertIn("Corrección", self._notes(order))

    def test_multi_company(self):
        registration_b = self.env["l10n_mx_icsoe.repse.registration"].create(
            {
                "name": "AR55555/2025",
                "company_id": self.company_b.id,
                "registration_date": date(2025, 1, 15),
                "service_ids": [
                    Command.create({"folio": "20001", "description": "Limpieza B"})
                ],
            }
        )
        service_b = registration_b.service_ids
        # One product shared by both companies, tied in each to its own service.
        self.cleaning.product_tmpl_id.with_company(
            self.company_b
        ).l10n_mx_icsoe_service_id = service_b
        self.assertEqual(
            self.cleaning.product_tmpl_id.with_company(
                self.company_a
            ).l10n_mx_icsoe_service_id,
            self.service,
        )
        salesman_b = new_test_user(
            self.env,
            login="salesman_b",
            groups="sales_team.group_sale_salesman",
            company_id=self.company_b.id,
            company_ids=self.company_b.ids,
        )
        order = self._order(
            lines=[
                (self.cleaning, "Limpieza B"),
                (self.maintenance, "Mantenimiento, no registrado en B"),
            ],
            user=salesman_b,
            company=self.company_b,
        )
        order.action_confirm()
        contract = self._contracts(order)
        self.assertRecordValues(
            contract,
            [
                {
                    "company_id": self.company_b.id,
                    "repse_service_id": service_b.id,
                    "object": "Limpieza B",
                }
            ],
        )
        self.assertNotIn(contract, self.Contract.with_user(self.icsoe_user).search([]))
        # A product cannot be tied to another company's service.
        with self.assertRaises(UserError):
            self.maintenance.product_tmpl_id.with_company(
                self.company_a
            ).l10n_mx_icsoe_service_id = service_b
