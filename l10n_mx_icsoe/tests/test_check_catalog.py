"""The catalogue of checks (issue 12): every problem a check finds has a stable code,
a severity, a title and how to fix it; the problems of a report are listed,
filtered and grouped by code, and each opens the record where it is fixed."""

import ast
import json
import re
from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL, file_open, file_path

from odoo.addons.l10n_mx_icsoe.models.check_catalog import (
    ERROR,
    SEVERITIES,
    WARNING,
    Issue,
    catalog,
    markdown_table,
    problem_list,
    problems_json,
)

from .test_filing import IcsoeFilingCase
from .test_sisub import SisubCase

PROBLEM = "l10n_mx_icsoe.report.problem"
CODE_RE = re.compile(r"(?:ICSOE|SISUB)(?:-[A-Z0-9]+)+")
CHECKER_FILES = ("check_base.py", "filing_check.py", "sisub_check.py")
SOURCES = {"client", "contract", "employee", "registration", "work_site", "company"}


def _checker_trees():
    for name in CHECKER_FILES:
        with file_open(f"l10n_mx_icsoe/models/{name}") as source:
            yield name, ast.parse(source.read())


def _list_name(node):
    """'errors' / 'warnings' for ``errors.append``, None for any other list."""
    if isinstance(node, ast.Name) and node.id in ("errors", "warnings"):
        return node.id
    if isinstance(node, ast.IfExp):  # (errors if ... else warnings).append
        return "either"
    return None


def _problems(report, **domain):
    field = "filing_id" if report._name == "l10n_mx_icsoe.filing" else "sisub_id"
    return report.env[PROBLEM].search(
        [(field, "=", report.id), *((k, "=", v) for k, v in domain.items())]
    )


@tagged("post_install", "-at_install")
class TestCheckCatalog(IcsoeFilingCase):
    """Company A's informativa 2026-1 with known faults."""

    def setUp(self):
        super().setUp()
        self.checks = catalog(self.env)

    def _faulty_filing(self):
        """C1 and C2: client without e-mail; worker 2 (C2) without CURP nor SBC;
        the company without ICSOE e-mail; a draft contract of the period."""
        self.client.email = False
        self.workers[2].l10n_mx_curp = False
        self.env["l10n_mx_icsoe.sbc"].search(
            [("employee_id", "=", self.workers[2].id)]
        ).unlink()
        self.company_a.write({"l10n_mx_icsoe_email": False, "email": False})
        self.draft = self.env["l10n_mx_icsoe.contract"].create(
            self._contract_vals(
                name="C-DRAFT", date_start=date(2026, 3, 2), state="draft"
            )
        )
        return self._filing()

    # ------------------------------------------------------------ the catalogue

    def test_codes_are_stable(self):
        """Codes users filter on and the documentation names never change."""
        pinned = {
            "ICSOE-IMSS1-SAME-PARTY": ERROR,
            "ICSOE-IMSS2-SERVICE-MISSING": ERROR,
            "ICSOE-IMSS3-START-OUTSIDE-PERIOD": ERROR,
            "ICSOE-IMSS4-NO-WORKERS": ERROR,
            "ICSOE-IMSS5-NO-CONTRACTS": ERROR,
            "ICSOE-IMSS6-CHAIN": ERROR,
            "ICSOE-CLIENT-RFC-MISSING": ERROR,
            "ICSOE-CLIENT-RFC-CHECK-DIGIT": WARNING,
            "ICSOE-WORKER-NSS-INVALID": ERROR,
            "ICSOE-WORKER-CURP-INVALID": ERROR,
            "ICSOE-WORKER-SBC-ABOVE-CAP": WARNING,
            "SISUB-CONTRACT-AMOUNT-MISSING": ERROR,
            "SISUB-WORKER-NSS-MISSING": ERROR,
            "SISUB-WORKER-PAYROLL-MISSING": WARNING,
        }
        self.assertEqual(
            {
                code: self.checks[code].severity
                for code in pinned
                if code in self.checks
            },
            pinned,
        )

    def test_every_entry_is_complete(self):
        severities = dict(SEVERITIES)
        for code, check in self.checks.items():
            with self.subTest(code=code):
                self.assertRegex(code, rf"^{CODE_RE.pattern}$")
                self.assertIn(check.severity, severities)
                self.assertIn(check.source, SOURCES | {"report"})
                self.assertTrue(check.title.strip())
                self.assertTrue(check.fix.strip(), "no 'how to fix'")
        # grouped by check, one report's groups have distinct titles
        titles = [(c.code.split("-")[0], c.title) for c in self.checks.values()]
        self.assertEqual(len(set(titles)), len(titles))

    def test_checkers_emit_only_catalogue_codes(self):
        """Read the checkers' source: each message appended is an Issue, each code
        they name is in the catalogue with the severity of the list it goes to, and
        each code of the catalogue is named by a checker."""
        named, wrong = set(), []
        for name, tree in _checker_trees():
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and CODE_RE.fullmatch(node.value)
                ):
                    named.add(node.value)
                    if node.value not in self.checks:
                        wrong.append(f"{name}:{node.lineno} {node.value} unknown")
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "append"
                ):
                    continue
                kind = _list_name(node.func.value)
                if kind is None:
                    continue
                arg = node.args[0]
                where = f"{name}:{node.lineno}"
                if isinstance(arg, ast.Subscript):  # a cache of Issues
                    continue
                if not (
                    isinstance(arg, ast.Call)
                    and isinstance(arg.func, ast.Name)
                    and arg.func.id == "Issue"
                ):
                    wrong.append(f"{where} appends a message without a code")
                    continue
                code = arg.args[0]
                check = isinstance(code, ast.Constant) and self.checks.get(code.value)
                expected = {"errors": ERROR, "warnings": WARNING}.get(kind)
                if check and expected and check.severity != expected:
                    wrong.append(f"{where} {code.value} is a {check.severity}")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertFalse(
            set(self.checks) - named,
            "catalogue entries no checker emits",
        )

    def test_usage_documents_the_catalogue(self):
        """readme/USAGE.md holds the tables of the catalogue as they are."""
        with file_open(file_path("l10n_mx_icsoe/readme/USAGE.md")) as usage:
            text = usage.read()
        env = self.env(context=dict(self.env.context, lang="en_US"))
        for report in ("ICSOE", "SISUB"):
            table = markdown_table(env, report)
            self.assertTrue(
                table in text,
                f"readme/USAGE.md: the {report} check table is not the catalogue's; "
                f"replace it with:\n{table}",
            )
        documented = set(re.findall(rf"`({CODE_RE.pattern})`", text))
        self.assertFalse(documented - set(self.checks), "codes no check has")

    def test_problems_json_is_the_json_of_the_problems(self):
        """Generation writes the problems as hand-made JSON text: the same as the
        json module's, whatever the message holds."""
        errors = [Issue("ICSOE-CLIENT-RFC-MISSING", 'C "1" \\ \n ñ \x01 — ok')]
        warnings = [
            Issue("ICSOE-CONTRACT-DRAFT", "draft", record=("l10n_mx_icsoe.contract", 7))
        ]
        text = problems_json(errors, warnings)
        self.assertEqual(
            text, json.dumps(problem_list(errors, warnings), ensure_ascii=False)
        )
        self.assertEqual(
            json.loads(text)[1],
            {
                "code": "ICSOE-CONTRACT-DRAFT",
                "severity": "warning",
                "message": "draft",
                "model": "l10n_mx_icsoe.contract",
                "res_id": 7,
            },
        )
        self.assertIsNone(problems_json([], []))

    # ------------------------------------------------------------ problems of a filing

    def test_faults_give_problems_on_their_lines(self):
        filing = self._faulty_filing()
        problems = _problems(filing)
        by_code = {}
        for problem in problems:
            by_code.setdefault(problem.code, self.env[PROBLEM])
            by_code[problem.code] |= problem
        emails = by_code["ICSOE-CLIENT-EMAIL-MISSING"]
        self.assertEqual(emails.contract_id, self.c1 | self.c2)
        self.assertEqual(set(emails.mapped("level")), {"contract"})
        self.assertEqual(emails.filing_contract_id, filing.contract_line_ids)
        self.assertEqual(set(emails.mapped("severity")), {"error"})
        for email in emails:
            self.assertIn(email.message, email.filing_contract_id.error_text)
        w2 = self.workers[2]
        for code in ("ICSOE-WORKER-CURP-MISSING", "ICSOE-WORKER-SBC-MISSING"):
            problem = by_code[code]
            self.assertEqual(problem.employee_id, w2)
            self.assertEqual(problem.filing_worker_id.employee_id, w2)
            self.assertEqual(problem.contract_id, self.c2)
            self.assertEqual(problem.level, "worker")
        company = by_code["ICSOE-COMPANY-EMAIL-MISSING"]
        self.assertEqual((company.level, company.filing_id), ("report", filing))
        self.assertIn(company.message, filing.check_message)
        draft = by_code["ICSOE-CONTRACT-DRAFT"]
        self.assertEqual((draft.severity, draft.contract_id), ("warning", self.draft))
        # every problem: a code of the catalogue, with its severity, and how to fix
        for problem in problems:
            check = self.checks[problem.code]
            self.assertEqual(problem.severity, check.severity, problem.code)
            self.assertEqual(problem.how_to_fix, check.fix)
            self.assertEqual(problem.code_text, problem.code)
        # the counts of the filing are those of the lines and the report
        errors = problems.filtered(lambda p: p.severity == "error")
        self.assertEqual(
            filing.error_count,
            len(errors.filtered(lambda p: p.level == "contract").filing_contract_id)
            + len(errors.filing_worker_id)
            + len(errors.filtered(lambda p: p.level == "report")),
        )

    def test_grouped_by_code_with_counts(self):
        filing = self._faulty_filing()
        Problem = self.env[PROBLEM].with_user(self.icsoe_user)
        groups = Problem.read_group([("filing_id", "=", filing.id)], ["code"], ["code"])
        counts = {group["code"]: group["code_count"] for group in groups}
        self.assertEqual(counts["ICSOE-CLIENT-EMAIL-MISSING"], 2)
        self.assertEqual(counts["ICSOE-WORKER-CURP-MISSING"], 1)
        self.assertEqual(counts["ICSOE-COMPANY-EMAIL-MISSING"], 1)
        by_severity = {
            group["severity"]: group["severity_count"]
            for group in Problem.read_group(
                [("filing_id", "=", filing.id)], ["severity"], ["severity"]
            )
        }
        self.assertEqual(sum(by_severity.values()), sum(counts.values()))
        self.assertEqual(
            by_severity["warning"], len(_problems(filing, severity="warning"))
        )
        # the group labels are the checks' titles
        labels = dict(Problem.fields_get(["code"])["code"]["selection"])
        self.assertEqual(
            labels["ICSOE-CLIENT-EMAIL-MISSING"],
            self.checks["ICSOE-CLIENT-EMAIL-MISSING"].title,
        )
        # by contract: the client's e-mail on both, the worker's on C2 only
        by_contract = Problem.read_group(
            [("filing_id", "=", filing.id), ("level", "!=", "report")],
            ["contract_id"],
            ["contract_id"],
        )
        counts = {g["contract_id"][0]: g["contract_id_count"] for g in by_contract}
        self.assertGreater(counts[self.c2.id], counts[self.c1.id])

    def test_recheck_after_fixing_removes_problems(self):
        filing = self._faulty_filing()
        self.assertEqual(filing.problem_count, len(_problems(filing)))
        # fixing the source and re-checking the line regenerates the informativa
        self.client.email = "compras@cliente.example.mx"
        line = filing.contract_line_ids[0]
        line.with_user(self.icsoe_user).action_recheck()
        self.assertFalse(_problems(filing, code="ICSOE-CLIENT-EMAIL-MISSING"))
        self.assertTrue(_problems(filing, code="ICSOE-WORKER-CURP-MISSING"))
        # the check of the stored lines: a typo on a line, then corrected
        worker = filing.worker_line_ids.filtered(
            lambda w: w.employee_id == self.workers[0]
        ).sudo()
        good = worker.nss
        worker.nss = good[:-1] + str((int(good[-1]) + 1) % 10)
        filing.action_check()
        bad = _problems(filing, code="ICSOE-WORKER-NSS-INVALID")
        self.assertEqual(bad.filing_worker_id, worker)
        self.assertEqual(worker.problems[0]["code"], "ICSOE-WORKER-NSS-INVALID")
        worker.nss = good
        filing.action_check()
        self.assertFalse(_problems(filing, code="ICSOE-WORKER-NSS-INVALID"))
        self.assertFalse(worker.problems)

    def test_filing_button_and_line_form(self):
        filing = self._faulty_filing()
        action = filing.with_user(self.icsoe_user).action_open_problems()
        self.assertEqual(action["res_model"], PROBLEM)
        self.assertEqual(action["domain"], [("filing_id", "=", filing.id)])
        self.assertEqual(action["context"], {"search_default_group_code": 1})
        self.assertEqual(filing.problem_count, len(_problems(filing)))
        line = filing.contract_line_ids.filtered(lambda c: c.contract_id == self.c1)
        self.assertEqual(
            line.problem_ids.mapped("code"), ["ICSOE-CLIENT-EMAIL-MISSING"]
        )
        self.assertTrue(line.problem_ids.how_to_fix)

    def test_each_problem_opens_the_record_to_fix(self):
        filing = self._faulty_filing()
        Problem = self.env[PROBLEM].with_user(self.icsoe_user)
        expected = {
            "ICSOE-CLIENT-EMAIL-MISSING": self.client,
            "ICSOE-WORKER-CURP-MISSING": self.workers[2],
            "ICSOE-COMPANY-EMAIL-MISSING": self.company_a,
            "ICSOE-CONTRACT-DRAFT": self.draft,
        }
        for code, record in expected.items():
            with self.subTest(code=code):
                problem = Problem.browse(_problems(filing, code=code)[:1].id)
                self.assertTrue(problem.can_open)
                action = problem.action_open_source()
                self.assertEqual(
                    (action["res_model"], action["res_id"], action["target"]),
                    (record._name, record.id, "new"),
                )
        client = Problem.browse(
            _problems(filing, code="ICSOE-CLIENT-EMAIL-MISSING")[:1].id
        )
        view = self.env.ref("l10n_mx_icsoe.res_partner_view_form_icsoe_client")
        self.assertEqual(client.action_open_source()["views"], [(view.id, "form")])

    def test_other_company_cannot_read_them(self):
        filing = self._faulty_filing()
        problems = _problems(filing)
        self.assertTrue(problems)
        Problem = self.env[PROBLEM].with_user(self.icsoe_user_b)
        self.assertFalse(Problem.search([("id", "in", problems.ids)]))
        with self.assertRaises(AccessError):
            Problem.browse(problems[:1].id).read(["message"])
        with self.assertRaises(AccessError):
            self.env[PROBLEM].with_user(self.plain_user).search([])
        self.assertEqual(
            self.env[PROBLEM]
            .with_user(self.icsoe_user)
            .search_count([("id", "in", problems.ids)]),
            len(problems),
        )

    def test_problems_cannot_be_forged(self):
        filing = self._faulty_filing()
        with self.assertRaises(Exception):  # noqa: B017 - guard's UserError
            filing.with_user(self.icsoe_user).write({"report_problems": []})
        self.assertTrue(filing.report_problems)


@tagged("post_install", "-at_install")
class TestCheckCatalogSisub(SisubCase):
    def test_sisub_problems(self):
        self.c_new.amount_untaxed = 0
        self.workers[1].ssnid = False
        self.company_a.l10n_mx_icsoe_deed = False
        report = self._report()
        new = report.contract_line_ids.filtered(lambda c: c.contract_id == self.c_new)
        amount = _problems(report, code="SISUB-CONTRACT-AMOUNT-MISSING")
        self.assertEqual(amount.sisub_contract_id, new)
        self.assertEqual((amount.report_kind, amount.severity), ("sisub", "error"))
        nss = _problems(report, code="SISUB-WORKER-NSS-MISSING")
        self.assertEqual(set(nss.mapped("employee_id")), {self.workers[1]})
        self.assertEqual(nss.sisub_worker_id.employee_id, self.workers[1])
        self.assertTrue(all(p.bimester for p in nss))
        deed = _problems(report, code="SISUB-COMPANY-DEED-MISSING")
        self.assertEqual((deed.level, deed.severity), ("report", "warning"))
        draft = _problems(report, code="SISUB-CONTRACT-DRAFT")
        self.assertEqual(draft.contract_id, self.c_draft)
        checks = catalog(self.env)
        for problem in _problems(report):
            self.assertEqual(problem.severity, checks[problem.code].severity)
        self.assertEqual(report.problem_count, len(_problems(report)))
        self.assertEqual(
            report.action_open_problems()["domain"], [("sisub_id", "=", report.id)]
        )

    def test_sisub_recheck_writes_missing_problems(self):
        """Lines checked before the catalogue (no problems stored) get them at the
        next check, although their texts do not change."""
        self.c_new.amount_untaxed = 0
        report = self._report()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE l10n_mx_icsoe_sisub_contract SET problems = NULL "
                "WHERE sisub_id = %s",
                report.id,
            )
        )
        self.env.invalidate_all()
        self.assertFalse(_problems(report, code="SISUB-CONTRACT-AMOUNT-MISSING"))
        report.action_check()
        self.assertTrue(_problems(report, code="SISUB-CONTRACT-AMOUNT-MISSING"))


@tagged("post_install", "-at_install")
class TestCheckCatalogSpanish(IcsoeFilingCase):
    """A Spanish (es_MX) user reads the checks' titles and fixes in Spanish."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_MX")
        cls.env["ir.module.module"]._load_module_terms(
            ["l10n_mx_icsoe"], ["es_MX"], overwrite=True
        )

    def test_titles_and_fixes_in_spanish(self):
        english = catalog(self.env(context=dict(self.env.context, lang="en_US")))
        spanish_env = self.env(context=dict(self.env.context, lang="es_MX"))
        spanish = catalog(spanish_env)
        same = [
            code
            for code, check in spanish.items()
            if check.title == english[code].title or check.fix == english[code].fix
        ]
        self.assertFalse(same, f"checks not translated: {same}")
        labels = dict(spanish_env[PROBLEM].fields_get(["code"])["code"]["selection"])
        self.assertEqual(
            labels["ICSOE-IMSS4-NO-WORKERS"], spanish["ICSOE-IMSS4-NO-WORKERS"].title
        )
        self.assertNotEqual(
            labels["ICSOE-IMSS4-NO-WORKERS"], english["ICSOE-IMSS4-NO-WORKERS"].title
        )
        severities = dict(
            spanish_env[PROBLEM].fields_get(["severity"])["severity"]["selection"]
        )
        self.assertNotEqual(severities["warning"], "Warning")
