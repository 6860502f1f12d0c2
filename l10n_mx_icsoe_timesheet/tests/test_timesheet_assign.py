from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.l10n_mx_icsoe.tests.test_filing import IcsoeFilingCase


class IcsoeTimesheetCase(IcsoeFilingCase):
    """Contract T (from 1 February 2026) with a project where workers log time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.w0, cls.w1, cls.w2 = cls.workers
        cls.project = (
            cls.env["project.project"]
            .with_company(cls.company_a)
            .create(
                {
                    "name": "Limpieza planta Querétaro",
                    "company_id": cls.company_a.id,
                    "allow_timesheets": True,
                }
            )
        )
        cls.task = cls.env["project.task"].create(
            {"name": "Limpieza diaria", "project_id": cls.project.id}
        )
        cls.contract = cls.env["l10n_mx_icsoe.contract"].create(
            cls._contract_vals(
                name="T-001",
                date_start=date(2026, 2, 1),
                project_id=cls.project.id,
            )
        )
        cls._timesheets(
            (cls.w0, date(2026, 2, 3), 8, True),
            (cls.w0, date(2026, 3, 15), 8, True),
            (cls.w0, date(2026, 2, 20), 4, False),
            (cls.w1, date(2026, 2, 20), 6, False),
        )
        cls.Assignment = cls.env["l10n_mx_icsoe.contract.assignment"]

    @classmethod
    def _timesheets(cls, *rows):
        """Timesheets on the project: (worker, date, hours, on the task?)."""
        return (
            cls.env["account.analytic.line"]
            .with_company(cls.company_a)
            .create(
                [
                    {
                        "name": "Limpieza",
                        "project_id": cls.project.id,
                        "task_id": cls.task.id if on_task else False,
                        "employee_id": worker.id,
                        "date": day,
                        "unit_amount": hours,
                    }
                    for worker, day, hours, on_task in rows
                ]
            )
        )

    def _wizard(self, contract=None, user=None):
        contract = (contract or self.contract).with_user(user or self.icsoe_user)
        action = contract.action_propose_timesheet_assignments()
        return (
            self.env[action["res_model"]]
            .with_user(contract.env.user)
            .browse(action["res_id"])
        )

    def _rows(self, wizard):
        return {
            row.employee_id: (row.action, row.date_from, row.date_to)
            for row in wizard.line_ids
        }

    def _assignments(self, contract=None):
        return {
            (a.employee_id, a.date_from, a.date_to)
            for a in (contract or self.contract).assignment_ids
        }


@tagged("post_install", "-at_install")
class TestTimesheetAssign(IcsoeTimesheetCase):
    def test_propose_previews_without_writing(self):
        wizard = self._wizard()
        self.assertEqual(
            self._rows(wizard),
            {
                # first to last timesheet, on the task or on the project
                self.w0: ("create", date(2026, 2, 3), date(2026, 3, 15)),
                self.w1: ("create", date(2026, 2, 20), date(2026, 2, 20)),
            },
        )
        self.assertEqual(
            wizard.line_ids.filtered(lambda r: r.employee_id == self.w0).hours, 20
        )
        self.assertEqual(wizard.change_count, 2)
        self.assertFalse(self.contract.assignment_ids)

    def test_apply_then_reapply_is_a_no_op(self):
        wizard = self._wizard()
        wizard.action_apply()
        self.assertEqual(wizard.state, "done")
        self.assertIn("2 assignments created", wizard.message)
        expected = {
            (self.w0, date(2026, 2, 3), date(2026, 3, 15)),
            (self.w1, date(2026, 2, 20), date(2026, 2, 20)),
        }
        self.assertEqual(self._assignments(), expected)
        again = self._wizard()
        self.assertEqual(set(again.line_ids.mapped("action")), {"unchanged"})
        self.assertEqual(again.change_count, 0)
        ids = self.contract.assignment_ids.ids
        again.action_apply()
        self.assertIn("0 assignments created, 0 extended, 2 already", again.message)
        self.assertEqual(self.contract.assignment_ids.ids, ids)
        self.assertEqual(self._assignments(), expected)

    def test_extends_existing_assignments_instead_of_duplicating(self):
        self.Assignment.create(
            [
                # ends before the last timesheet
                {
                    "contract_id": self.contract.id,
                    "employee_id": self.w0.id,
                    "date_from": date(2026, 2, 10),
                    "date_to": date(2026, 2, 28),
                },
                # open-ended, starts the day after the timesheet: stays open-ended
                {
                    "contract_id": self.contract.id,
                    "employee_id": self.w1.id,
                    "date_from": date(2026, 2, 21),
                },
            ]
        )
        wizard = self._wizard()
        self.assertEqual(
            self._rows(wizard),
            {
                self.w0: ("extend", date(2026, 2, 3), date(2026, 3, 15)),
                self.w1: ("extend", date(2026, 2, 20), False),
            },
        )
        wizard.action_apply()
        self.assertIn("0 assignments created, 2 extended", wizard.message)
        self.assertEqual(
            self._assignments(),
            {
                (self.w0, date(2026, 2, 3), date(2026, 3, 15)),
                (self.w1, date(2026, 2, 20), False),
            },
        )

    def test_only_outer_ends_move_between_assignments(self):
        self.Assignment.create(
            [
                {
                    "contract_id": self.contract.id,
                    "employee_id": self.w0.id,
                    "date_from": date(2026, 2, 5),
                    "date_to": date(2026, 2, 15),
                },
                {
                    "contract_id": self.contract.id,
                    "employee_id": self.w0.id,
                    "date_from": date(2026, 3, 1),
                    "date_to": date(2026, 3, 10),
                },
            ]
        )
        self._wizard().action_apply()
        self.assertEqual(
            {a for a in self._assignments() if a[0] == self.w0},
            {
                (self.w0, date(2026, 2, 3), date(2026, 2, 15)),
                (self.w0, date(2026, 3, 1), date(2026, 3, 15)),
            },
        )

    def test_timesheets_outside_the_contract(self):
        self.contract.date_end = date(2026, 3, 1)
        self._timesheets(
            (self.w1, date(2026, 1, 20), 8, True),  # before the start: cut
            (self.w2, date(2026, 1, 10), 8, True),  # only before the start
        )
        wizard = self._wizard()
        rows = self._rows(wizard)
        self.assertEqual(rows[self.w0], ("create", date(2026, 2, 3), date(2026, 3, 1)))
        self.assertEqual(rows[self.w1], ("create", date(2026, 2, 1), date(2026, 2, 20)))
        self.assertEqual(rows[self.w2][0], "blocked")
        notes = {row.employee_id: row.reason for row in wizard.line_ids}
        self.assertIn(
            "before the contract's Start Date are not counted", notes[self.w1]
        )
        self.assertIn("after the contract's End Date are not counted", notes[self.w0])
        self.assertIn("fall outside the contract", notes[self.w2])
        wizard.action_apply()
        self.assertIn("2 assignments created", wizard.message)
        self.assertNotIn(self.w2, self.contract.assignment_ids.employee_id)

    def test_reported_contract_is_blocked(self):
        # W2 is on the contract already and its timesheet is covered.
        self.Assignment.create(
            {
                "contract_id": self.contract.id,
                "employee_id": self.w2.id,
                "date_from": date(2026, 2, 1),
            }
        )
        self._timesheets((self.w2, date(2026, 2, 12), 8, True))
        filing = self._filed()
        self.assertEqual(filing.state, "filed")
        self.assertIn(self.contract, filing.contract_line_ids.contract_id)
        before = self._assignments()
        wizard = self._wizard()
        rows = self._rows(wizard)
        self.assertEqual(rows[self.w0][0], "blocked")
        self.assertEqual(rows[self.w1][0], "blocked")
        self.assertEqual(rows[self.w2][0], "unchanged")
        self.assertEqual(wizard.blocked_count, 2)
        reason = wizard.line_ids.filtered(lambda r: r.employee_id == self.w0).reason
        self.assertIn(f"reported in {filing.display_name}", reason)
        self.assertIn("Corrección", reason)
        wizard.action_apply()
        self.assertIn("2 blocked", wizard.message)
        self.assertEqual(self._assignments(), before)

    def test_preview_is_refreshed_when_timesheets_change(self):
        wizard = self._wizard()
        self._timesheets((self.w2, date(2026, 3, 2), 8, True))
        wizard.action_apply()
        self.assertEqual(wizard.state, "preview")
        self.assertIn("changed since this preview", wizard.message)
        self.assertFalse(self.contract.assignment_ids)
        self.assertEqual(len(wizard.line_ids), 3)
        wizard.action_apply()
        self.assertEqual(len(self.contract.assignment_ids), 3)

    def test_only_icsoe_users_propose(self):
        with self.assertRaises(AccessError):
            self._wizard(user=self.plain_user)

    def test_contract_without_project(self):
        self.contract.project_id = False
        with self.assertRaises(UserError) as error:
            self._wizard()
        self.assertIn("Contract T-001 has no Project", str(error.exception))

    def test_apply_from_demo_method(self):
        counts = self.contract._apply_timesheet_assignments()
        self.assertEqual(counts["create"], 2)
        self.assertEqual(self.contract._apply_timesheet_assignments()["create"], 0)

    def test_plan_reads_do_not_grow_with_workers(self):
        def queries():
            self.env.flush_all()
            self.env.invalidate_all()
            self.icsoe_user.mapped("login")  # the user's row, read by any access check
            before = self.env.cr.sql_log_count
            self._wizard()
            return self.env.cr.sql_log_count - before

        def add_workers(count):
            extra = self.env["hr.employee"].create(
                [
                    {"name": f"Extra {i}", "company_id": self.company_a.id}
                    for i in range(count)
                ]
            )
            self._timesheets(*[(w, date(2026, 3, 3), 8, True) for w in extra])
            self.contract.assignment_ids = [
                Command.create({"employee_id": w.id, "date_from": date(2026, 3, 5)})
                for w in extra
            ]

        add_workers(1)
        queries()  # warm the caches (access rights, rules, views)
        small = queries()
        add_workers(10)
        large = queries()
        self.assertEqual(small, large)
