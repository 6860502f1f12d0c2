from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import IcsoeCase


@tagged("post_install", "-at_install")
class TestSecurity(IcsoeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls.env["l10n_mx_icsoe.contract"].create(cls._contract_vals())
        cls.sbc = cls.env["l10n_mx_icsoe.sbc"].create(
            {
                "employee_id": cls.workers[0].id,
                "date_from": date(2026, 1, 1),
                "amount": 400,
            }
        )

    def test_other_company_cannot_read_contracts_or_workers(self):
        env_b = self.env(user=self.icsoe_user_b)
        self.assertFalse(env_b["l10n_mx_icsoe.contract"].search([]))
        with self.assertRaises(AccessError):
            self.contract.with_user(self.icsoe_user_b).read(["name"])
        self.assertFalse(env_b["hr.employee"].search([("id", "in", self.workers.ids)]))
        with self.assertRaises(AccessError):
            self.workers[0].with_user(self.icsoe_user_b).read(["ssnid"])
        with self.assertRaises(AccessError):
            self.sbc.with_user(self.icsoe_user_b).read(["amount"])
        self.assertFalse(env_b["l10n_mx_icsoe.repse.registration"].search([]))

    def test_plain_employee_cannot_read_worker_identity(self):
        worker = self.workers[0].with_user(self.plain_user)
        for field in ("ssnid", "l10n_mx_curp", "l10n_mx_icsoe_sbc_ids"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                worker.read([field])
        with self.assertRaises(AccessError):
            self.sbc.with_user(self.plain_user).read(["amount"])
        with self.assertRaises(AccessError):
            self.contract.with_user(self.plain_user).read(["name"])

    def test_icsoe_user_reads_worker_identity(self):
        worker = (
            self.workers[0].with_user(self.icsoe_user).with_context(date="2026-02-01")
        )
        data = worker.read(["ssnid", "l10n_mx_curp", "l10n_mx_icsoe_sbc"])[0]
        self.assertEqual(data["ssnid"], self.workers[0].ssnid)
        self.assertEqual(data["l10n_mx_curp"], self.workers[0].l10n_mx_curp)
        self.assertEqual(data["l10n_mx_icsoe_sbc"], 400.0)
        with self.assertRaises(AccessError):
            worker.write({"ssnid": "x"})

    def test_icsoe_manager_fixes_worker_identity(self):
        worker = self.workers[0].with_user(self.icsoe_manager)
        worker.write({"l10n_mx_curp": self.workers[1].l10n_mx_curp})
        self.assertEqual(self.workers[0].l10n_mx_curp, self.workers[1].l10n_mx_curp)

    def test_user_cannot_delete_contract_manager_can(self):
        with self.assertRaises(AccessError):
            self.contract.with_user(self.icsoe_user).unlink()
        self.contract.with_user(self.icsoe_manager).unlink()
        self.assertFalse(self.contract.exists())
