from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestActions(TransactionCase):
    def test_every_window_action_loads(self):
        """Each ICSOE menu's action: its views load and its domain can be searched."""
        actions = self.env["ir.actions.act_window"].search(
            [
                (
                    "id",
                    "in",
                    self.env["ir.model.data"]
                    .search(
                        [
                            ("module", "=", "l10n_mx_icsoe"),
                            ("model", "=", "ir.actions.act_window"),
                        ]
                    )
                    .mapped("res_id"),
                )
            ]
        )
        self.assertGreaterEqual(len(actions), 10)
        for action in actions:
            with self.subTest(action=action.name):
                model = self.env[action.res_model].with_context(
                    **safe_eval(action.context or "{}", {"active_id": False})
                )
                modes = [m for m in action.view_mode.split(",") if m != "qweb"]
                model.get_views([(False, mode) for mode in modes] + [(False, "search")])
                if action.target != "new":
                    # A field that cannot be searched is only logged, not raised.
                    with self.assertNoLogs("odoo.osv.expression", "ERROR"):
                        model.search(safe_eval(action.domain or "[]"), limit=1)
