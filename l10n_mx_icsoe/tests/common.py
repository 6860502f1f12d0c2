from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_curp, make_nss, make_rfc


class IcsoeCase(TransactionCase):
    """Two Mexican companies, role-based users and valid master data in company A.

    The clock stands on 5 April 2026 unless a test moves it: the data (REPSE
    registration of 2024, contracts of 2026) must not expire under the tests.
    """

    @classmethod
    def setUpClass(cls):
        cls.startClassPatcher(freeze_time("2026-04-05 12:00:00"))
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        mx = cls.env.ref("base.mx")
        address = {
            "country_id": mx.id,
            "street": "Av. Constituyentes 100",
            "zip": "76000",
            "city": "Querétaro",
            "state_id": cls.env.ref("base.state_mx_qro").id,
        }
        cls.company_a = cls.env["res.company"].create(
            {
                "name": "Servicios Especializados A",
                "vat": make_rfc("SEA150310AB"),
                "l10n_mx_icsoe_email": "icsoe@sea.example.mx",
                "l10n_mx_icsoe_phone": "4422000000",
                **address,
            }
        )
        cls.company_b = cls.env["res.company"].create(
            {
                "name": "Servicios Especializados B",
                "vat": make_rfc("SEB160420CD"),
                "l10n_mx_icsoe_email": "icsoe@seb.example.mx",
                "l10n_mx_icsoe_phone": "4422000001",
                **address,
            }
        )
        company_ctx = {"company_id": cls.company_a.id, "company_ids": cls.company_a.ids}
        cls.icsoe_user = new_test_user(
            cls.env,
            login="icsoe_user_a",
            groups="base.group_user,l10n_mx_icsoe.group_icsoe_user",
            **company_ctx,
        )
        cls.icsoe_manager = new_test_user(
            cls.env,
            login="icsoe_manager_a",
            groups="base.group_user,l10n_mx_icsoe.group_icsoe_manager",
            **company_ctx,
        )
        cls.plain_user = new_test_user(
            cls.env, login="employee_a", groups="base.group_user", **company_ctx
        )
        cls.icsoe_user_b = new_test_user(
            cls.env,
            login="icsoe_user_b",
            groups="base.group_user,l10n_mx_icsoe.group_icsoe_user",
            company_id=cls.company_b.id,
            company_ids=cls.company_b.ids,
        )
        cls.registration = cls.env["l10n_mx_icsoe.repse.registration"].create(
            {
                "name": "AR12345/2024",
                "company_id": cls.company_a.id,
                "registration_date": date(2024, 3, 1),
                "service_ids": [
                    Command.create(
                        {
                            "folio": "10001",
                            "description": "Servicios de limpieza industrial",
                        }
                    ),
                    Command.create(
                        {"folio": "10002", "description": "Mantenimiento de maquinaria"}
                    ),
                ],
            }
        )
        cls.service = cls.registration.service_ids[0]
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Cliente Industrial SA de CV",
                "is_company": True,
                "country_id": mx.id,
                "vat": make_rfc("CIN100101XY"),
                "email": "compras@cliente.example.mx",
                "mobile": "4421234567",
            }
        )
        cls.workers = cls.env["hr.employee"].create(
            [
                {
                    "name": f"Trabajador {i}",
                    "company_id": cls.company_a.id,
                    "ssnid": make_nss(f"12159012{i:02d}"),
                    "l10n_mx_curp": make_curp(f"PEGJ9001{10 + i:02d}HDFRRN0"),
                }
                for i in range(1, 4)
            ]
        )

    @classmethod
    def _contract_vals(cls, **overrides):
        vals = {
            "name": "CONT-001",
            "company_id": cls.company_a.id,
            "partner_id": cls.client.id,
            "object": "Limpieza de la planta",
            "repse_service_id": cls.service.id,
            "date_start": date(2026, 2, 10),
            "state": "active",
        }
        vals.update(overrides)
        return vals
