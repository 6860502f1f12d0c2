import base64
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_mx_icsoe.models.payroll_cfdi import PayrollImport

from .common import IcsoeCase
from .test_lib_cfdi import build_cfdi, nomina_spec


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


@tagged("post_install", "-at_install")
class TestWorkerPrivacy(IcsoeCase):
    """ICSOE groups read and fix the IMSS data of workers, not their HR file."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_ctx = {"company_id": cls.company_a.id, "company_ids": cls.company_a.ids}
        cls.hr_officer = new_test_user(
            cls.env, login="hr_officer_a", groups="base.group_user,hr.group_hr_user",
            **company_ctx,
        )  # fmt: skip
        cls.hr_icsoe_manager = new_test_user(
            cls.env,
            login="hr_icsoe_manager_a",
            groups="base.group_user,hr.group_hr_user,l10n_mx_icsoe.group_icsoe_manager",
            **company_ctx,
        )
        cls.worker = cls.workers[0]
        cls.env["l10n_mx_icsoe.sbc"].create(
            {"employee_id": cls.worker.id, "date_from": date(2026, 1, 1), "amount": 400}
        )
        cls.hr_document = cls.env["ir.attachment"].create(
            {
                "name": "contrato-individual.pdf",
                "raw": b"%PDF-1.7 salario y domicilio",
                "res_model": "hr.employee",
                "res_id": cls.worker.id,
            }
        )
        cls.hr_note = cls.worker.message_post(
            body="Incapacidad por enfermedad del 2 al 9 de marzo",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        cls.hr_activity = cls.worker.activity_schedule(
            "mail.mail_activity_data_todo",
            summary="Renovar permiso de trabajo",
            user_id=cls.hr_officer.id,
        )

    def _hr_file_seen_by(self, user):
        """(attachments, messages, activities) of the worker that ``user`` finds."""
        env = self.env(user=user)
        return (
            env["ir.attachment"].search(
                [("res_model", "=", "hr.employee"), ("res_id", "=", self.worker.id)]
            ),
            env["mail.message"].search(
                [("model", "=", "hr.employee"), ("res_id", "=", self.worker.id)]
            ),
            env["mail.activity"].search(
                [("res_model", "=", "hr.employee"), ("res_id", "=", self.worker.id)]
            ),
        )

    def test_icsoe_users_read_the_imss_data_not_the_hr_file(self):
        for user in (self.icsoe_user, self.icsoe_manager):
            with self.subTest(user=user.login):
                worker = self.worker.with_user(user).with_context(date="2026-02-01")
                data = worker.read(
                    ["name", "ssnid", "l10n_mx_curp", "l10n_mx_icsoe_sbc", "company_id"]
                )[0]
                self.assertEqual(data["name"], "Trabajador 1")
                self.assertEqual(data["ssnid"], self.worker.ssnid)
                self.assertEqual(data["l10n_mx_curp"], self.worker.l10n_mx_curp)
                self.assertEqual(data["l10n_mx_icsoe_sbc"], 400.0)
                worker.read(["department_id", "job_id", "job_title"])
                # nothing of the HR file is found ...
                attachments, messages, activities = self._hr_file_seen_by(user)
                self.assertFalse(attachments)
                self.assertFalse(messages)
                self.assertFalse(activities)
                self.assertFalse(
                    worker.read(["website_message_ids"])[0].get("website_message_ids")
                )
                # ... nor read by id
                with self.assertRaises(AccessError):
                    self.hr_document.with_user(user).read(["raw"])
                with self.assertRaises(AccessError):
                    self.hr_document.with_user(user).check("read")
                with self.assertRaises(AccessError):
                    self.hr_note.with_user(user).read(["body"])
                with self.assertRaises(AccessError):
                    self.hr_activity.with_user(user).read(["summary"])
                for field in ("private_email", "bank_account_id", "birthday"):
                    with self.assertRaises(AccessError):
                        worker.read([field])
        # nor can a manager add to it or remove from it
        with self.assertRaises(AccessError):
            self.env["ir.attachment"].with_user(self.icsoe_manager).create(
                {
                    "name": "x.pdf",
                    "raw": b"x",
                    "res_model": "hr.employee",
                    "res_id": self.worker.id,
                }
            )
        with self.assertRaises(AccessError):
            self.hr_document.with_user(self.icsoe_manager).unlink()
        with self.assertRaises(AccessError):
            self.hr_note.with_user(self.icsoe_manager).unlink()
        with self.assertRaises(AccessError):
            self.worker.with_user(self.icsoe_manager).message_post(body="hola")

    def test_hr_officers_keep_the_hr_file(self):
        for user in (self.hr_officer, self.hr_icsoe_manager):
            with self.subTest(user=user.login):
                attachments, messages, activities = self._hr_file_seen_by(user)
                self.assertEqual(attachments, self.hr_document)
                self.assertIn(self.hr_note, messages)
                self.assertEqual(activities, self.hr_activity)
                self.assertTrue(self.hr_document.with_user(user).read(["raw"]))
                self.assertTrue(self.hr_note.with_user(user).read(["body"]))

    def test_plain_employee_sees_nothing(self):
        attachments, messages, activities = self._hr_file_seen_by(self.plain_user)
        self.assertFalse(attachments or messages or activities)
        with self.assertRaises(AccessError):
            self.hr_document.with_user(self.plain_user).read(["raw"])

    def test_icsoe_manager_writes_only_the_imss_fields(self):
        worker = self.worker.with_user(self.icsoe_manager)
        bank = self.env["res.partner.bank"].create(
            {
                "acc_number": "012180001234567897",
                "partner_id": self.worker.work_contact_id.id,
            }
        )
        for vals in (
            {"name": "Otro Nombre"},
            {"job_title": "Jefe de cuadrilla"},
            {"private_email": "casa@example.mx"},
            {"bank_account_id": bank.id},
            {
                "work_email": "x@example.mx",
                "l10n_mx_curp": self.workers[1].l10n_mx_curp,
            },
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(
                    AccessError,
                    "Trabajador 1: you may change only the worker's IMSS data",
                ),
            ):
                worker.write(vals)
        self.assertEqual(self.worker.name, "Trabajador 1")
        self.assertFalse(self.worker.bank_account_id)
        # the IMSS data itself
        worker.write(
            {
                "l10n_mx_curp": self.workers[1].l10n_mx_curp,
                "l10n_mx_icsoe_sbc_ids": [
                    Command.create({"date_from": date(2026, 3, 1), "amount": 450})
                ],
            }
        )
        self.assertEqual(self.worker.l10n_mx_curp, self.workers[1].l10n_mx_curp)
        self.assertEqual(len(self.worker.l10n_mx_icsoe_sbc_ids), 2)
        # an HR officer who is also an ICSOE Manager is not limited
        self.worker.with_user(self.hr_icsoe_manager).write(
            {"name": "Trabajador Uno", "bank_account_id": bank.id}
        )
        self.assertEqual(self.worker.name, "Trabajador Uno")

    def test_payroll_xml_only_for_hr_officers_and_icsoe_managers(self):
        xml = build_cfdi(
            "4.0",
            nominas=[
                nomina_spec(
                    receptor={
                        "Curp": self.worker.l10n_mx_curp,
                        "NumSeguridadSocial": self.worker.ssnid,
                    },
                    subcontracts=[],
                )
            ],
            emisor={"Rfc": self.company_a.vat},
        )
        attachments_before = self.env["ir.attachment"].search_count(
            [("res_model", "=", "hr.employee")]
        )
        service = PayrollImport(self.env(user=self.icsoe_manager), self.company_a)
        service.apply(service.plan([("recibo.xml", xml)]))
        # nothing is attached to the worker
        self.assertEqual(
            self.env["ir.attachment"].search_count([("res_model", "=", "hr.employee")]),
            attachments_before,
        )
        stored = self.env["l10n_mx_icsoe.payroll.cfdi"].search([])
        self.assertEqual(len(stored), 1)
        self.assertEqual(base64.b64decode(stored.xml_file), xml)
        for user in (self.icsoe_manager, self.hr_officer):
            with self.subTest(user=user.login):
                data = stored.with_user(user).read(["uuid", "xml_file"])[0]
                self.assertEqual(base64.b64decode(data["xml_file"]), xml)
        # the ICSOE User reads the record (SBC, period), not the payslip
        self.assertEqual(
            stored.with_user(self.icsoe_user).read(["sbc"])[0]["sbc"], 452.37
        )
        with self.assertRaises(AccessError):
            stored.with_user(self.icsoe_user).read(["xml_file"])
        xml_attachment = (
            self.env["ir.attachment"]
            .with_context(skip_res_field_check=True)
            .search([("res_model", "=", stored._name), ("res_id", "=", stored.id)])
        )
        self.assertEqual(len(xml_attachment), 1)
        with self.assertRaises(AccessError):
            xml_attachment.with_user(self.icsoe_user).read(["raw"])
        self.assertFalse(
            self.env["ir.attachment"]
            .with_user(self.icsoe_user)
            .with_context(skip_res_field_check=True)
            .search([("id", "=", xml_attachment.id)])
        )
        with self.assertRaises(AccessError):
            stored.with_user(self.plain_user).read(["sbc"])
