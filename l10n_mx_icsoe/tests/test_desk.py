"""The accountant's desk: dashboard, checks one can act on, views that fit."""

import base64
from datetime import date, datetime

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import file_open, file_path, html2plaintext, mute_logger
from odoo.tools.translate import PoFileReader

from .test_filing import PDF, IcsoeFilingCase

DASHBOARD = "l10n_mx_icsoe.dashboard"


@tagged("post_install", "-at_install")
class TestDesk(IcsoeFilingCase):
    """Company A: REPSE registration of 1 March 2024, clock on 5 May 2026."""

    def _data(self, user=None):
        Dashboard = self.env[DASHBOARD].with_user(user or self.icsoe_user)
        Dashboard = Dashboard.with_context(
            allowed_company_ids=(user or self.icsoe_user).company_ids.ids
        )
        return Dashboard.get_dashboard_data()

    def _company(self, data, company=None):
        company = company or self.company_a
        return next(c for c in data["companies"] if c["id"] == company.id)

    def _filed_no_info(self, year, period):
        """A Sin información of a period without contracts, filed."""
        filing = self._filing(year=year, period=period)
        filing.action_set_no_info()
        filing.with_user(self.icsoe_manager).action_confirm()
        return self._filed(filing)

    @staticmethod
    def _cells(company_data):
        return {
            cell["key"]: cell for row in company_data["rows"] for cell in row["cells"]
        }

    # ------------------------------------------------------------ dashboard

    def test_grid_shows_every_period_owed(self):
        data = self._company(self._data())
        cells = self._cells(data)
        self.assertEqual([row["year"] for row in data["rows"]], [2026, 2025, 2024])
        owed = [key for key, cell in cells.items() if cell["owed"]]
        # From the registration (March 2024) to 2026-1, whose window opened 1 May.
        self.assertEqual(
            sorted(owed),
            ["2024-1", "2024-2", "2024-3", "2025-1", "2025-2", "2025-3", "2026-1"],
        )
        self.assertTrue(all(cells[key]["state"] == "missing" for key in owed))
        self.assertEqual(cells["2026-2"]["state"], "running")
        self.assertTrue(cells["2024-1"]["overdue"])
        self.assertFalse(cells["2026-1"]["overdue"])
        self.assertEqual(cells["2026-1"]["deadline"], "2026-05-18")
        self.assertEqual(data["counters"]["missing"], 7)
        self.assertEqual(data["first_missing"], {"year": 2024, "period": 1})
        # The oldest period not filed is the next deadline to meet: long past.
        self.assertEqual(data["next_deadline"]["key"], "2024-1")
        self.assertLess(data["next_deadline"]["days_left"], 0)

    def test_cell_states_follow_the_filings(self):
        draft = self._filing()  # 2026-1, generated, no error
        with_errors = self._filing(year=2025, period="3")  # no contract: an error
        filed = self._filed_no_info(2025, "2")
        cells = self._cells(self._company(self._data()))
        self.assertEqual(cells["2026-1"]["state"], "draft")
        self.assertEqual(cells["2026-1"]["filing_id"], draft.id)
        self.assertEqual(cells["2025-3"]["state"], "errors")
        self.assertEqual(cells["2025-3"]["error_count"], with_errors.error_count)
        self.assertEqual(cells["2025-2"]["state"], "filed")
        self.assertEqual(cells["2025-2"]["filing_id"], filed.id)
        self.assertFalse(cells["2025-2"]["overdue"])
        self.assertTrue(cells["2025-3"]["overdue"])
        data = self._company(self._data())
        self.assertEqual(data["counters"]["missing"], 4)
        # 2025-3 is open past its deadline; the 2026-1 draft is not late yet.
        self.assertEqual(data["counters"]["overdue"], 1)
        self.assertEqual(data["counters"]["errors"], 1)
        self.assertEqual(data["counters"]["no_acuse"], 0)

    def test_voided_period_shows_voided(self):
        filed = self._filed(self._confirmed())
        void = self.Filing.browse(
            filed.with_user(self.icsoe_manager).action_new_void()["res_id"]
        )
        self.assertEqual(
            self._cells(self._company(self._data()))["2026-1"]["state"], "draft"
        )
        void.with_user(self.icsoe_manager).action_confirm()
        self._filed(void)
        cell = self._cells(self._company(self._data()))["2026-1"]
        self.assertEqual(cell["state"], "voided")
        self.assertEqual(cell["filing_id"], filed.id)

    def test_other_company_not_shown(self):
        data = self._data(self.icsoe_user_b)
        self.assertEqual([c["id"] for c in data["companies"]], [self.company_b.id])
        self.assertFalse(data["companies"][0]["has_registration"])
        self.assertEqual(data["companies"][0]["rows"], [])

    def test_sisub_only_when_the_model_exists(self):
        data = self._data()
        cell = self._cells(self._company(data))["2026-1"]
        self.assertEqual(data["has_sisub"], "l10n_mx_icsoe.sisub" in self.env)
        self.assertEqual("sisub" in cell, "l10n_mx_icsoe.sisub" in self.env)

    def test_query_count_is_constant(self):
        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._data()
            return self.env.cr.sql_log_count - before

        self._data()  # warm the registry caches
        few = count()
        for year, period in ((2026, "1"), (2025, "3"), (2025, "2"), (2024, "3")):
            self._filing(year=year, period=period)
        self._filed_no_info(2024, "1")
        self.assertEqual(count(), few)
        with self.assertQueryCount(few):
            self.env.invalidate_all()
            self._data()

    def test_renewal_due_counted(self):
        with self.subTest("window not open"):
            self.assertEqual(self._company(self._data())["counters"]["renewals"], 0)
        self.registration.registration_date = date(2023, 6, 1)  # renewal from 1 Mar
        data = self._company(self._data())
        self.assertEqual(data["counters"]["renewals"], 1)
        self.assertEqual(data["renewal_ids"], self.registration.ids)

    def test_cell_opens_the_filing_or_a_new_one(self):
        Dashboard = self.env[DASHBOARD].with_user(self.icsoe_user)
        action = Dashboard.action_open_period(self.company_a.id, 2025, 3)
        self.assertFalse(action.get("res_id"))
        self.assertEqual(action["context"]["default_year"], 2025)
        self.assertEqual(action["context"]["default_period"], "3")
        # What the new form sends is accepted (no workflow field among it).
        with Form(
            self.Filing.with_user(self.icsoe_user).with_context(**action["context"])
        ) as form:
            self.assertEqual(form.year, 2025)
        filing = form.record
        self.assertEqual((filing.year, filing.period), (2025, "3"))
        action = Dashboard.action_open_period(self.company_a.id, 2025, 3)
        self.assertEqual(action["res_id"], filing.id)

    def test_dashboard_is_the_landing_page(self):
        root = self.env.ref("l10n_mx_icsoe.menu_icsoe_root")
        self.assertEqual(
            root.action, self.env.ref("l10n_mx_icsoe.action_icsoe_dashboard")
        )
        # Five entries at most on the top bar: it fits at 1366 px.
        top = self.env["ir.ui.menu"].search([("parent_id", "=", root.id)])
        self.assertLessEqual(
            len(top.filtered(lambda m: "sisub" not in m.name.lower())), 5
        )
        self.assertIn(self.env.ref("l10n_mx_icsoe.menu_icsoe_config"), top)

    # ------------------------------------------------------------ notifications

    def test_generate_and_check_notify_the_counts(self):
        filing = self.Filing.with_user(self.icsoe_user).create(
            {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        )
        action = filing.action_generate()
        self.assertEqual(action["tag"], "display_notification")
        params = action["params"]
        self.assertIn("2 contract(s), 3 worker(s), 0 error(s)", params["message"])
        self.assertEqual(
            params["type"], "warning" if filing.warning_count else "success"
        )
        self.assertEqual(params["next"]["tag"], "soft_reload")
        self.client.email = False
        params = filing.action_generate()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("2 error(s)", params["message"])
        params = filing.action_check()["params"]
        self.assertIn("2 error(s)", params["message"])

    # ------------------------------------------------------------ acting on checks

    def test_open_sources_of_a_line(self):
        filing = self._filing()
        line = filing.contract_line_ids.filtered(lambda c: c.contract_id == self.c1)
        action = line.action_open_client()
        self.assertEqual(
            (action["res_model"], action["res_id"], action["target"]),
            ("res.partner", self.client.id, "new"),
        )
        view = self.env.ref("l10n_mx_icsoe.res_partner_view_form_icsoe_client")
        self.assertEqual(action["views"], [(view.id, "form")])
        self.assertEqual(line.action_open_contract()["res_id"], self.c1.id)
        self.assertEqual(
            line.action_open_registration()["res_id"], self.registration.id
        )
        worker = line.worker_ids[:1]
        self.assertEqual(worker.action_open_employee()["res_id"], worker.employee_id.id)
        self.assertEqual(worker.action_open_contract()["res_id"], self.c1.id)
        # The compact forms load for the user who fixes the data.
        for model, xmlid in (
            ("res.partner", "l10n_mx_icsoe.res_partner_view_form_icsoe_client"),
            ("hr.employee", "l10n_mx_icsoe.hr_employee_view_form_icsoe_worker"),
        ):
            self.env[model].with_user(self.icsoe_manager).get_views(
                [(self.env.ref(xmlid).id, "form")]
            )

    def test_fix_then_recheck_the_line(self):
        self.client.email = False
        filing = self._filing()
        line = filing.contract_line_ids.filtered(lambda c: c.contract_id == self.c1)
        self.assertFalse(line.is_ok)
        params = line.with_user(self.icsoe_user).action_recheck()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("e-mail", params["message"])
        self.client.email = "compras@cliente.example.mx"
        # Re-checking regenerates: the line is a new record for the same contract.
        line = filing.contract_line_ids.filtered(lambda c: c.contract_id == self.c1)
        self.assertFalse(line.is_ok)
        params = line.with_user(self.icsoe_user).action_recheck()["params"]
        self.assertIn(params["type"], ("success", "warning"), params["message"])
        self.assertIn("no error left", params["message"])
        self.assertEqual(filing.error_count, 0)
        worker = filing.worker_line_ids[:1]
        self.assertEqual(
            worker.with_user(self.icsoe_user).action_recheck()["params"]["title"],
            "Re-checked",
        )

    def test_recheck_only_in_draft(self):
        filing = self._confirmed()
        with self.assertRaises(UserError):
            filing.contract_line_ids[:1].with_user(self.icsoe_user).action_recheck()

    def test_download_one_contract_csv(self):
        draft = self._filing()
        with self.assertRaisesRegex(UserError, "confirm it first"):
            draft.contract_line_ids[:1].action_download_csv()
        draft.unlink()
        filing = self._confirmed()
        line = filing.contract_line_ids.filtered(lambda c: c.contract_id == self.c1)
        action = line.with_user(self.icsoe_user).action_download_csv()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertIn(attachment, filing.export_attachment_ids)
        self.assertTrue(attachment.name.endswith("_C1.csv"), attachment.name)
        nss = set(line.worker_ids.mapped("nss"))
        rows = attachment.raw.decode().splitlines()
        self.assertEqual({row.split(",")[0] for row in rows} - {"NSS"}, nss)

    # ------------------------------------------------------------ wizards

    def _register_form(self, filing):
        return Form(
            self.env["l10n_mx_icsoe.filing.register"]
            .with_user(self.icsoe_manager)
            .with_context(active_id=filing.id)
        )

    def test_register_requires_an_explicit_time(self):
        filing = self._confirmed()
        form = self._register_form(filing)
        form.imss_folio = "N262253432"
        form.acuse = PDF
        self.assertFalse(form.filed_time)
        with self.assertRaises(AssertionError):
            form.save()  # required: the time on the acuse
        form.filed_time = "25:10"
        with self.assertRaisesRegex(UserError, "HH:MM"):
            form.save().action_register()
        form.filed_time = "13:45"
        form.filed_date = date(2026, 5, 5)
        form.save().action_register()
        self.assertEqual(filing.state, "filed")
        self.assertEqual(filing.filed_datetime, datetime(2026, 5, 5, 19, 45))

    def test_register_midnight_is_a_time(self):
        filing = self._confirmed()
        form = self._register_form(filing)
        form.imss_folio = "N262253432"
        form.acuse = PDF
        form.filed_date = date(2026, 5, 5)
        form.filed_time = "00:00"
        form.save().action_register()
        self.assertEqual(filing.filed_datetime, datetime(2026, 5, 5, 6, 0))

    def test_cfdi_preview_refuses_no_file(self):
        wizard = (
            self.env["l10n_mx_icsoe.cfdi.import"]
            .with_user(self.icsoe_manager)
            .create({"company_id": self.company_a.id})
        )
        with self.assertRaisesRegex(UserError, "no file"):
            wizard.action_preview()
        self.assertEqual(wizard.state, "upload")

    # ------------------------------------------------------------ settings

    def test_settings_warn_and_link(self):
        Settings = self.env["res.config.settings"]
        settings = Settings.with_company(self.company_a).create({})
        self.assertFalse(settings.l10n_mx_icsoe_missing_holiday_years)
        self.env["l10n_mx_icsoe.holiday"].search([("year", "=", 2027)]).unlink()
        settings = Settings.with_company(self.company_a).create({})
        self.assertEqual(settings.l10n_mx_icsoe_missing_holiday_years, "2027")
        self.assertTrue(settings.l10n_mx_icsoe_pending_renewal_valid)
        settings.l10n_mx_icsoe_filings_since = date(2025, 1, 1)
        settings.execute()
        self.assertEqual(self.company_a.l10n_mx_icsoe_filings_since, date(2025, 1, 1))
        action = settings.action_l10n_mx_icsoe_open_company()
        self.assertEqual(action["res_id"], self.company_a.id)
        action = settings.action_l10n_mx_icsoe_open_registrations()
        self.assertIn(("company_id", "=", self.company_a.id), action["domain"])
        arch = settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("o_icsoe_no_responsible", arch)
        self.assertIn("l10n_mx_icsoe_filings_since", arch)

    # ------------------------------------------------------------ smart buttons

    def test_smart_buttons(self):
        filing = self._filing()
        action = self.client.action_l10n_mx_icsoe_open_contracts()
        contracts = self.env[action["res_model"]].search(action["domain"])
        self.assertLessEqual(self.c1 | self.c2, contracts)
        action = self.c1.action_l10n_mx_icsoe_open_filings()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), filing)
        worker = self.workers[2]
        action = worker.action_l10n_mx_icsoe_open_assignments()
        self.assertEqual(
            self.env[action["res_model"]].search(action["domain"]),
            self.c2 | self.c_later,
        )

    # ------------------------------------------------------------ views

    def test_years_without_separators_everywhere(self):
        """Every integer year field in the addon's views reads 2026, not 2,026."""
        views = self.env["ir.ui.view"].search(
            [
                (
                    "id",
                    "in",
                    self.env["ir.model.data"]
                    .search(
                        [("module", "=", "l10n_mx_icsoe"), ("model", "=", "ir.ui.view")]
                    )
                    .mapped("res_id"),
                ),
                ("type", "in", ("list", "form", "kanban", "pivot", "graph")),
            ]
        )
        checked = 0
        for view in views:
            model = self.env[view.model]
            arch = etree.fromstring(view.arch)
            for node in arch.iter("field"):
                field = model._fields.get(node.get("name"))
                if not (field and field.type == "integer" and "year" in field.name):
                    continue
                # Graph and pivot group by the dates' year instead.
                self.assertNotIn(view.type, ("pivot", "graph"), view.xml_id)
                checked += 1
                with self.subTest(view=view.xml_id, field=field.name):
                    self.assertIn("'enable_formatting': false", node.get("options", ""))
        self.assertGreaterEqual(checked, 4)

    def test_duplicate_hidden_where_refused(self):
        for view_type in ("form", "list", "kanban"):
            arch = self.Filing.get_views([(False, view_type)])["views"][view_type][
                "arch"
            ]
            self.assertIn('duplicate="0"', arch, view_type)
        with self.assertRaises(UserError):
            self._filing().copy()

    def test_fields_shown_once_on_client_and_worker(self):
        arch = etree.fromstring(
            self.env["res.partner"].get_views([(False, "form")])["views"]["form"][
                "arch"
            ]
        )
        page = arch.xpath("//page[@name='l10n_mx_icsoe']")[0]
        for name in ("vat", "email", "mobile", "phone"):
            self.assertFalse(page.xpath(f".//field[@name='{name}']"), name)
        arch = etree.fromstring(
            self.env["hr.employee"].get_views([(False, "form")])["views"]["form"][
                "arch"
            ]
        )
        for name in ("ssnid", "l10n_mx_curp"):
            shown = [
                node
                for node in arch.xpath(f"//field[@name='{name}']")
                if node.get("invisible")
                not in ("True", "1", "company_country_code == 'MX'")
            ]
            self.assertEqual(len(shown), 1, name)

    @mute_logger("odoo.http")
    def test_exports_tab_lists_files(self):
        filing = self._confirmed()
        arch = etree.fromstring(
            self.Filing.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        exports = arch.xpath("//field[@name='export_attachment_ids']")[0]
        self.assertTrue(exports.xpath(".//list/field[@name='datas']"))
        self.assertTrue(filing.export_attachment_ids)
        data = filing.with_user(self.icsoe_user).export_attachment_ids.read(
            ["name", "datas"]
        )
        self.assertTrue(all(base64.b64decode(row["datas"]) for row in data))


# Records whose translated fields a Spanish user reads: the addon's models, fields,
# selections, views, menus, actions, groups and the activity types of its data.
UI_MODELS = (
    "ir.model",
    "ir.model.fields",
    "ir.model.fields.selection",
    "ir.ui.view",
    "ir.ui.menu",
    "ir.actions.act_window",
    "ir.actions.client",
    "ir.actions.server",
    "ir.actions.report",
    "res.groups",
    "ir.module.category",
    "mail.activity.type",
)


# Fails as soon as a user-facing string of the addon reaches a Spanish user in
# English (run alone with --test-tags l10n_mx_icsoe_i18n).
@tagged("post_install", "-at_install", "l10n_mx_icsoe_i18n")
class TestDeskSpanish(IcsoeFilingCase):
    """No user-facing string of the addon reaches a Spanish (es_MX) user in English.

    The addon's es_MX.po is loaded into the test database; a string counts as
    translated when its Spanish rendering differs from the English one, or when the
    .po says on purpose that it is the same in both (RFC, NSS, Sin información...).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_MX")
        cls.env["ir.module.module"]._load_module_terms(
            ["base", "mail", "l10n_mx_icsoe"], ["es_MX"], overwrite=True
        )
        path = file_path("l10n_mx_icsoe/i18n/es_MX.po")
        with file_open(path, "rb") as po:
            entries = list(PoFileReader(po))
        # Terms the .po keeps identical on purpose (IMSS terms, acronyms).
        cls.same_on_purpose = {
            entry["src"] for entry in entries if entry["value"] == entry["src"]
        }

    def _is_english(self, source, value):
        source = (source or "").strip()
        if not source or not any(c.isalpha() for c in source):
            return False
        return (not value or value.strip() == source) and (
            source not in self.same_on_purpose
        )

    def test_interface_strings_are_translated(self):
        """Model names, field labels and helps, selections, views, menus, actions."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "l10n_mx_icsoe"), ("model", "in", UI_MODELS)]
        )
        english = set()
        for row in data:
            record = self.env[row.model].browse(row.res_id).exists()
            if not record:
                continue
            if row.model == "ir.model.fields":
                # A field another module adds to the addon's models (e.g. rating's
                # Ratings on every chatter) is that module's to translate.
                field = self.env[record.model]._fields.get(record.name)
                if field is not None and field._module != "l10n_mx_icsoe":
                    continue
            for name, field in record._fields.items():
                if not field.translate or not field.store:
                    continue
                translations, _context = record.get_field_translations(
                    name, langs=["es_MX"]
                )
                for term in translations:
                    if self._is_english(term["source"], term["value"]):
                        english.add(
                            f"{row.model} {row.name}.{name}: {term['source']!r}"
                        )
        self.assertFalse(
            english,
            f"{len(english)} user-facing string(s) reach a Spanish user in English "
            "(add them to i18n/es_MX.po):\n" + "\n".join(sorted(english)[:200]),
        )

    def _scheduled_messages(self, lang):
        """What the scheduled actions write for a responsible user reading ``lang``."""
        env = self.env(context=dict(self.env.context, tracking_disable=False))
        user = new_test_user(
            env,
            login=f"responsible_{lang}",
            groups="base.group_user,l10n_mx_icsoe.group_icsoe_manager",
            company_id=self.company_a.id,
            company_ids=self.company_a.ids,
            lang=lang,
        )
        self.company_a.l10n_mx_icsoe_responsible_id = user
        Filing = env["l10n_mx_icsoe.filing"]
        Registration = env["l10n_mx_icsoe.repse.registration"]
        texts = []
        with freeze_time("2026-05-11 12:00:00"):  # 7 days before 2026-1's deadline
            Filing._cron_generate_drafts()
            Filing._cron_send_reminders()
        self.registration.registration_date = date(2023, 6, 1)  # renewal open
        with freeze_time("2026-05-20 12:00:00"):  # 2026-1 missed
            Filing._cron_flag_missed()
            Registration._cron_update_state()
        filings = Filing.search([("company_id", "=", self.company_a.id)], order="id")
        for record in (*filings, self.registration):
            for message in record.message_ids.sorted("id"):
                texts.append(html2plaintext(message.body or ""))
                for tracking in message.sudo().tracking_value_ids:
                    texts.append(
                        tracking.field_id.with_context(lang=lang).field_description
                    )
            for activity in record.activity_ids.sorted("id"):
                texts.append(activity.with_context(lang=lang).activity_type_id.name)
                texts.append(activity.summary or "")
                texts.append(html2plaintext(activity.note or ""))
        return texts

    def test_scheduled_actions_write_in_spanish(self):
        """Chatter lines and activities of the daily jobs, for a Spanish responsible."""
        with self.env.cr.savepoint(flush=False) as savepoint:
            english = self._scheduled_messages("en_US")
            savepoint.rollback()
        spanish = self._scheduled_messages("es_MX")
        self.assertEqual(len(english), len(spanish))
        self.assertGreater(len(spanish), 10)
        leaks = [
            es
            for en, es in zip(english, spanish, strict=True)
            if es.strip()
            and es == en
            and any(c.isalpha() for c in es)
            and es.strip() not in self.same_on_purpose
        ]
        self.assertFalse(
            leaks,
            "The scheduled actions write in English for a Spanish user:\n"
            + "\n".join(leaks),
        )
