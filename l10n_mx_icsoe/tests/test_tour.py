from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.l10n_mx_icsoe.icsoe import periods
from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import make_curp, make_nss, make_rfc


@tagged("post_install", "-at_install")
class TestFilingTour(HttpCase):
    def test_accountant_path(self):
        today = date.today()
        year, period = periods.period_of(today)
        year, period = (year, period - 1) if period > 1 else (year - 1, 3)
        start, _end = periods.period_dates(year, period)
        mx = self.env.ref("base.mx")
        company = self.env["res.company"].create(
            {
                "name": "Tour Servicios SA de CV",
                "country_id": mx.id,
                "vat": make_rfc("TSE150310AB"),
                "l10n_mx_icsoe_email": "icsoe@tour.example.mx",
                "l10n_mx_icsoe_phone": "4421110000",
                "street": "Av. Universidad 10",
                "zip": "76000",
                "city": "Querétaro",
                "state_id": self.env.ref("base.state_mx_qro").id,
            }
        )
        new_test_user(
            self.env,
            login="icsoe_tour",
            groups="base.group_user,l10n_mx_icsoe.group_icsoe_manager",
            company_id=company.id,
            company_ids=company.ids,
            lang="en_US",
        )
        registration = self.env["l10n_mx_icsoe.repse.registration"].create(
            {
                "name": "AR-TOUR",
                "company_id": company.id,
                "registration_date": start - relativedelta(months=6),
                "service_ids": [
                    Command.create({"folio": "777", "description": "Limpieza"})
                ],
            }
        )
        client = self.env["res.partner"].create(
            {
                "name": "Cliente Tour SA de CV",
                "is_company": True,
                "country_id": mx.id,
                "vat": make_rfc("CTO100101XY"),
                "email": "tour@cliente.example.mx",
                "mobile": "4420000000",
            }
        )
        worker = self.env["hr.employee"].create(
            {
                "name": "Tour Worker",
                "company_id": company.id,
                "ssnid": make_nss("1215901234"),
                "l10n_mx_curp": make_curp("PEGJ900101HDFRRN0"),
            }
        )
        self.env["l10n_mx_icsoe.sbc"].create(
            {"employee_id": worker.id, "date_from": start, "amount": 412.5}
        )
        self.env["l10n_mx_icsoe.contract"].create(
            {
                "name": "TOUR-1",
                "company_id": company.id,
                "partner_id": client.id,
                "object": "Limpieza de oficinas",
                "repse_service_id": registration.service_ids.id,
                "date_start": start + relativedelta(days=3),
                "state": "active",
            }
        )
        filing = self.env["l10n_mx_icsoe.filing"].create(
            {"company_id": company.id, "year": year, "period": str(period)}
        )
        self.start_tour(
            f"/odoo/action-l10n_mx_icsoe.action_filing/{filing.id}",
            "l10n_mx_icsoe_filing_tour",
            login="icsoe_tour",
        )
        self.assertEqual(filing.state, "filed")
        self.assertEqual(filing.imss_folio, "N262253432")
        correction = filing.complementary_ids
        self.assertEqual(correction.filing_type, "correction")
        self.assertEqual(correction.worker_line_ids.employee_id, worker)
