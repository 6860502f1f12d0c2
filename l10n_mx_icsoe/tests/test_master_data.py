from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_curp, make_nss, make_rfc

from .common import IcsoeCase


@tagged("post_install", "-at_install")
class TestRepse(IcsoeCase):
    def test_registration_dates_and_service_display(self):
        reg = self.registration
        self.assertEqual(reg.expiry_date, date(2027, 3, 1))
        self.assertEqual(reg.renewal_date, date(2026, 12, 1))
        self.assertEqual(
            self.service.display_name, "10001 — Servicios de limpieza industrial"
        )
        self.assertTrue(reg._is_valid_on(date(2024, 3, 1)))
        self.assertFalse(reg._is_valid_on(date(2027, 3, 1)))
        self.assertFalse(reg._is_valid_on(date(2024, 2, 29)))

    def test_registration_expired_when_created_after_expiry(self):
        old = self.env["l10n_mx_icsoe.repse.registration"].create(
            {
                "name": "AR1/2019",
                "company_id": self.company_a.id,
                "registration_date": date(2019, 1, 1),
            }
        )
        self.assertEqual(old.state, "expired")

    def test_cancel_twice_refused(self):
        self.registration.action_cancel()
        with self.assertRaisesRegex(UserError, "AR12345/2024"):
            self.registration.action_cancel()
        self.registration.action_reactivate()
        self.assertEqual(self.registration.state, "active")

    def test_blank_folio_refused(self):
        with self.assertRaisesRegex(ValidationError, "AR12345/2024.*Folio"):
            self.env["l10n_mx_icsoe.repse.service"].create(
                {
                    "registration_id": self.registration.id,
                    "folio": " ",
                    "description": "x",
                }
            )

    def test_user_cannot_configure_repse(self):
        from odoo.exceptions import AccessError

        with self.assertRaises(AccessError):
            self.registration.with_user(self.icsoe_user).name = "changed"
        self.registration.with_user(self.icsoe_manager).name = "AR12345/2024-R"
        self.assertEqual(self.registration.name, "AR12345/2024-R")


@tagged("post_install", "-at_install")
class TestClientRfc(IcsoeCase):
    def _partner(self, vat, **kw):
        vals = {
            "name": "Cliente Prueba",
            "is_company": True,
            "country_id": self.env.ref("base.mx").id,
            "vat": vat,
        }
        vals.update(kw)
        return self.env["res.partner"].with_user(self.icsoe_user).create(vals)

    def test_valid_rfc_person_type(self):
        moral = self._partner(make_rfc("ABC010203X1"))
        self.assertEqual(moral.l10n_mx_icsoe_person_type, "moral")
        self.assertFalse(moral.l10n_mx_icsoe_rfc_warning)
        fisica = self._partner(make_rfc("GODE561231GR"))
        self.assertEqual(fisica.l10n_mx_icsoe_person_type, "fisica")

    def test_bad_rfc_format_refused(self):
        with self.assertRaisesRegex(ValidationError, "Cliente Prueba.*RFC"):
            self._partner("ABC12")
        with self.assertRaisesRegex(ValidationError, "Cliente Prueba.*RFC"):
            self._partner("1BC010203AB1")

    def test_bad_rfc_date_refused(self):
        with self.assertRaisesRegex(ValidationError, "date"):
            self._partner("ABC011303AB1")

    def test_bad_check_digit_is_a_warning(self):
        good = make_rfc("ABC010203X1")
        bad = good[:-1] + ("1" if good[-1] != "1" else "2")
        partner = self._partner(bad)
        self.assertTrue(partner.l10n_mx_icsoe_rfc_warning)
        self.assertEqual(partner.l10n_mx_icsoe_person_type, "moral")

    def test_generic_rfc_flagged(self):
        partner = self._partner("XEXX010101000")
        self.assertEqual(partner.l10n_mx_icsoe_rfc_generic, "foreign")
        self.assertTrue(partner.l10n_mx_icsoe_rfc_warning)
        partner = self._partner("XAXX010101000")
        self.assertEqual(partner.l10n_mx_icsoe_rfc_generic, "national")

    def test_foreign_partner_not_checked(self):
        partner = self._partner("ES12345678Z", country_id=self.env.ref("base.es").id)
        self.assertFalse(partner.l10n_mx_icsoe_person_type)

    def test_mx_prefix_accepted(self):
        partner = self._partner("MX" + make_rfc("ABC010203X1"))
        self.assertEqual(partner.l10n_mx_icsoe_person_type, "moral")


@tagged("post_install", "-at_install")
class TestWorkers(IcsoeCase):
    def _worker(self, **vals):
        base = {"name": "Juana Pérez", "company_id": self.company_a.id}
        base.update(vals)
        return self.env["hr.employee"].create(base)

    def test_valid_worker_normalised(self):
        nss = make_nss("1215901234")
        curp = make_curp("PEGJ900101MDFRRN0")
        worker = self._worker(ssnid=f"{nss[:4]} {nss[4:]}", l10n_mx_curp=curp.lower())
        self.assertEqual(worker.ssnid, nss)
        self.assertEqual(worker.l10n_mx_curp, curp)

    def test_bad_nss_refused(self):
        nss = make_nss("1215901234")
        wrong = nss[:-1] + str((int(nss[-1]) + 1) % 10)
        for value in ("1215901234", "12159O12345", wrong):
            with (
                self.subTest(value=value),
                self.assertRaisesRegex(ValidationError, "Juana Pérez.*NSS"),
            ):
                self._worker(ssnid=value)

    def test_bad_curp_refused(self):
        curp = make_curp("PEGJ900101MDFRRN0")
        wrong = curp[:-1] + str((int(curp[-1]) + 1) % 10)
        for value in ("PEGJ900101", "PEGJ901301MDFRRN05", wrong):
            with (
                self.subTest(value=value),
                self.assertRaisesRegex(ValidationError, "Juana Pérez.*CURP"),
            ):
                self._worker(l10n_mx_curp=value)

    def test_non_mexican_company_not_checked(self):
        company = self.env["res.company"].create(
            {"name": "Spain Co", "country_id": self.env.ref("base.es").id}
        )
        worker = self._worker(company_id=company.id, ssnid="123")
        self.assertEqual(worker.ssnid, "123")

    def test_sbc_history(self):
        worker = self.workers[0]
        sbc = self.env["l10n_mx_icsoe.sbc"].with_user(self.icsoe_user)
        sbc.create(
            {"employee_id": worker.id, "date_from": date(2026, 1, 1), "amount": 400}
        )
        sbc.create(
            {"employee_id": worker.id, "date_from": date(2026, 3, 1), "amount": 450}
        )
        self.assertEqual(worker.with_context(date="2026-02-15").l10n_mx_icsoe_sbc, 400)
        self.assertEqual(worker.with_context(date="2026-03-01").l10n_mx_icsoe_sbc, 450)
        with self.assertRaisesRegex(ValidationError, "Trabajador 1.*SBC"):
            sbc.create(
                {"employee_id": worker.id, "date_from": date(2026, 4, 1), "amount": 0}
            )
        with self.assertRaisesRegex(ValidationError, "Trabajador 1.*decimals"):
            sbc.create(
                {
                    "employee_id": worker.id,
                    "date_from": date(2026, 4, 1),
                    "amount": 1.234,
                }
            )

    def test_sbc_above_cap_warns(self):
        high = self.env["l10n_mx_icsoe.sbc"].create(
            {
                "employee_id": self.workers[0].id,
                "date_from": date(2026, 3, 1),
                "amount": 3000,
            }
        )
        normal = self.env["l10n_mx_icsoe.sbc"].create(
            {
                "employee_id": self.workers[1].id,
                "date_from": date(2026, 3, 1),
                "amount": 2900,
            }
        )
        # 25 UMA of 2026 = 25 x 117.31 = 2,932.75
        self.assertTrue(high.above_cap)
        self.assertFalse(normal.above_cap)

    def test_last_sbc_one_query(self):
        sbc = self.env["l10n_mx_icsoe.sbc"]
        sbc.create(
            [
                {
                    "employee_id": w.id,
                    "date_from": date(2026, m, 1),
                    "amount": 300 + i + m,
                }
                for i, w in enumerate(self.workers[:2])
                for m in (1, 3, 6)
            ]
        )
        sbc.flush_model()
        with self.assertQueryCount(1):
            last = sbc._last_sbc(self.workers, date(2026, 4, 30))
        self.assertEqual(last[self.workers[0].id], (date(2026, 3, 1), 303))
        self.assertEqual(last[self.workers[1].id], (date(2026, 3, 1), 304))
        self.assertNotIn(self.workers[2].id, last)


@tagged("post_install", "-at_install")
class TestContracts(IcsoeCase):
    def test_create_with_form_as_user(self):
        form = Form(self.env["l10n_mx_icsoe.contract"].with_user(self.icsoe_user))
        form.name = "CONT-FORM"
        form.partner_id = self.client
        form.object = "Limpieza"
        form.repse_service_id = self.service
        form.date_start = date(2026, 5, 4)
        with form.assignment_ids.new() as line:
            line.employee_id = self.workers[0]
            self.assertEqual(line.date_from, date(2026, 5, 4))
        contract = form.save()
        self.assertEqual(contract.worker_count, 1)
        self.assertEqual(contract.start_cuatrimestre, "2026-2")
        contract.action_activate()
        self.assertEqual(contract.state, "active")

    def _create(self, **overrides):
        return (
            self.env["l10n_mx_icsoe.contract"]
            .with_user(self.icsoe_user)
            .create(self._contract_vals(**overrides))
        )

    def test_end_before_start_refused(self):
        with self.assertRaisesRegex(ValidationError, "CONT-001.*End Date"):
            self._create(date_end=date(2026, 2, 1))

    def test_client_is_company_refused(self):
        with self.assertRaisesRegex(ValidationError, "CONT-001.*Client"):
            self._create(partner_id=self.company_a.partner_id.id)
        same_rfc = self.env["res.partner"].create(
            {
                "name": "Otra razón, mismo RFC",
                "is_company": True,
                "country_id": self.env.ref("base.mx").id,
                "vat": self.company_a.vat,
            }
        )
        with self.assertRaisesRegex(ValidationError, "CONT-001.*Client"):
            self._create(partner_id=same_rfc.id)

    def test_service_of_other_company_refused(self):
        reg_b = self.env["l10n_mx_icsoe.repse.registration"].create(
            {
                "name": "AR999/2024",
                "company_id": self.company_b.id,
                "registration_date": date(2024, 1, 1),
                "service_ids": [Command.create({"folio": "9", "description": "Otro"})],
            }
        )
        with self.assertRaisesRegex(ValidationError, "CONT-001.*another company"):
            self._create(repse_service_id=reg_b.service_ids.id)

    def test_registration_not_valid_on_start_refused(self):
        with self.assertRaisesRegex(
            ValidationError, "CONT-001.*AR12345/2024.*valid on the Start Date"
        ):
            self._create(date_start=date(2024, 2, 1))
        with self.assertRaisesRegex(ValidationError, "valid on the Start Date"):
            self._create(date_start=date(2027, 3, 1))
        self.registration.action_cancel()  # from today, 5 April 2026
        with self.assertRaisesRegex(ValidationError, "Cancelled"):
            self._create(date_start=date(2026, 4, 5))
        self._create(name="BEFORE-CANCEL", date_start=date(2026, 4, 4))

    def test_assignments(self):
        contract = self._create(date_end=date(2026, 8, 31))
        assign = self.env["l10n_mx_icsoe.contract.assignment"].with_user(
            self.icsoe_user
        )
        worker = self.workers[0]
        assign.create(
            {
                "contract_id": contract.id,
                "employee_id": worker.id,
                "date_from": date(2026, 2, 10),
                "date_to": date(2026, 3, 31),
            }
        )
        # the same worker again after the first assignment ended is fine
        assign.create(
            {
                "contract_id": contract.id,
                "employee_id": worker.id,
                "date_from": date(2026, 5, 1),
            }
        )
        with self.assertRaisesRegex(
            ValidationError, "CONT-001.*Trabajador 1.*overlapping"
        ):
            assign.create(
                {
                    "contract_id": contract.id,
                    "employee_id": worker.id,
                    "date_from": date(2026, 3, 1),
                    "date_to": date(2026, 4, 1),
                }
            )
        with self.assertRaisesRegex(ValidationError, "CONT-001.*within the contract"):
            assign.create(
                {
                    "contract_id": contract.id,
                    "employee_id": self.workers[1].id,
                    "date_from": date(2026, 1, 1),
                }
            )
        with self.assertRaisesRegex(ValidationError, "within the contract"):
            assign.create(
                {
                    "contract_id": contract.id,
                    "employee_id": self.workers[1].id,
                    "date_from": date(2026, 3, 1),
                    "date_to": date(2026, 9, 30),
                }
            )
        worker_b = self.env["hr.employee"].create(
            {"name": "Trabajador B", "company_id": self.company_b.id}
        )
        with self.assertRaisesRegex(ValidationError, "another company"):
            self.env["l10n_mx_icsoe.contract.assignment"].create(
                {
                    "contract_id": contract.id,
                    "employee_id": worker_b.id,
                    "date_from": date(2026, 3, 1),
                }
            )

    def test_state_transitions(self):
        contract = self._create(state="draft")
        for action in (contract.action_end, contract.action_draft):
            with self.assertRaisesRegex(UserError, "CONT-001 cannot go from Draft"):
                action()
        contract.action_activate()
        with self.assertRaisesRegex(UserError, "from Active to Active"):
            contract.action_activate()
        contract.action_end()
        self.assertEqual(contract.state, "ended")
        self.assertTrue(contract.date_end)
        with self.assertRaisesRegex(UserError, "from Ended to Cancelled"):
            contract.action_cancel()
        other = self._create(name="CONT-002", state="draft")
        other.action_cancel()
        other.action_draft()
        self.assertEqual(other.state, "draft")

    def test_started_in_period(self):
        c1 = self._create(name="P1", date_start=date(2026, 4, 30))
        c2 = self._create(name="P2", date_start=date(2026, 5, 1))
        c3 = self._create(name="P1-cancelled", date_start=date(2026, 1, 2))
        c3.action_cancel()
        found = self.env["l10n_mx_icsoe.contract"]._search_started_in_period(2026, 1)
        self.assertIn(c1, found)
        self.assertNotIn(c2, found)
        self.assertNotIn(c3, found)
