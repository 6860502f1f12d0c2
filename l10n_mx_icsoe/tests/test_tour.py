from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.l10n_mx_icsoe.icsoe import periods
from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_curp, make_nss, make_rfc


@tagged("post_install", "-at_install")
class TestFilingTour(HttpCase):
    """The accountant's desk in a browser: dashboard to filed informativa."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = date.today()
        year, period = periods.period_of(today)
        cls.year, cls.period = (year, period - 1) if period > 1 else (year - 1, 3)
        start, _end = periods.period_dates(cls.year, cls.period)
        mx = cls.env.ref("base.mx")
        cls.company = cls.env["res.company"].create(
            {
                "name": "Tour Servicios SA de CV",
                "country_id": mx.id,
                "vat": make_rfc("TSE150310AB"),
                "l10n_mx_icsoe_email": "icsoe@tour.example.mx",
                "l10n_mx_icsoe_phone": "4421110000",
                "street": "Av. Universidad 10",
                "zip": "76000",
                "city": "Querétaro",
                "state_id": cls.env.ref("base.state_mx_qro").id,
                # Only the last closed cuatrimestre is owed in this story.
                "l10n_mx_icsoe_filings_since": start,
            }
        )
        new_test_user(
            cls.env,
            login="icsoe_tour",
            groups="base.group_user,l10n_mx_icsoe.group_icsoe_manager",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
            lang="en_US",
            tz="America/Mexico_City",
        )
        registration = cls.env["l10n_mx_icsoe.repse.registration"].create(
            {
                "name": "AR-TOUR",
                "company_id": cls.company.id,
                "registration_date": start - relativedelta(months=6),
                "service_ids": [
                    Command.create({"folio": "777", "description": "Limpieza"})
                ],
            }
        )
        # The client has no e-mail: the error the tour fixes.
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Cliente Tour SA de CV",
                "is_company": True,
                "country_id": mx.id,
                "vat": make_rfc("CTO100101XY"),
                "mobile": "4420000000",
            }
        )
        cls.worker = cls.env["hr.employee"].create(
            {
                "name": "Tour Worker",
                "company_id": cls.company.id,
                "ssnid": make_nss("1215901234"),
                "l10n_mx_curp": make_curp("PEGJ900101HDFRRN0"),
            }
        )
        cls.env["l10n_mx_icsoe.sbc"].create(
            {"employee_id": cls.worker.id, "date_from": start, "amount": 412.5}
        )
        cls.contract = cls.env["l10n_mx_icsoe.contract"].create(
            {
                "name": "TOUR-1",
                "company_id": cls.company.id,
                "partner_id": cls.client.id,
                "object": "Limpieza de oficinas",
                "repse_service_id": registration.service_ids.id,
                "date_start": start + relativedelta(days=3),
                "state": "active",
                "assignment_ids": [
                    Command.create(
                        {
                            "employee_id": cls.worker.id,
                            "date_from": start + relativedelta(days=3),
                        }
                    )
                ],
            }
        )

    def _walk(self):
        Filing = self.env["l10n_mx_icsoe.filing"]
        self.assertFalse(Filing.search([("company_id", "=", self.company.id)]))
        self.start_tour(
            "/odoo/action-l10n_mx_icsoe.action_icsoe_dashboard",
            "l10n_mx_icsoe_desk_tour",
            login="icsoe_tour",
        )
        filing = Filing.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(filing), 1)
        self.assertEqual((filing.year, filing.period), (self.year, str(self.period)))
        self.assertEqual(filing.state, "filed")
        self.assertEqual(filing.imss_folio, "N262253432")
        self.assertEqual(filing.error_count, 0)
        self.assertEqual(self.client.email, "compras@tour.example.mx")
        self.assertEqual(filing.worker_line_ids.employee_id, self.worker)
        # 10:30 in Mexico City (UTC-6 all year since 2022) is 16:30 UTC.
        self.assertEqual(filing.filed_datetime.time(), datetime(1, 1, 1, 16, 30).time())

    def test_desk_desktop(self):
        self._walk()

    def test_desk_mobile(self):
        self.browser_size = "390x844"
        self.touch_enabled = True
        self._walk()
