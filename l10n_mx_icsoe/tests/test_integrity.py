"""Frozen exports nobody can inject into, safe file names, and an audit trail that stays."""

import base64
import contextlib
import hashlib
import io
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_mx_icsoe.cli import icsoe as icsoe_cli
from odoo.addons.l10n_mx_icsoe.models.filing_export import exports_digest, is_plain_name
from odoo.addons.l10n_mx_icsoe.models.guard import internal

from .test_filing import PDF, IcsoeFilingCase

FORGED = "../../probe.txt"


@tagged("post_install", "-at_install")
class TestIntegrity(IcsoeFilingCase):
    def _forge(self, filing, user=None, **vals):
        """What a user can attach to an informativa over RPC, posing as an export."""
        return (
            filing.env["ir.attachment"]
            .with_user(user or self.icsoe_user)
            .create(
                {
                    "name": FORGED,
                    "raw": b"forged",
                    "res_model": filing._name,
                    "res_id": filing.id,
                    "description": "l10n_mx_icsoe_export",
                    **vals,
                }
            )
        )

    def _generate(self, out):
        """``icsoe generate`` for 2026-1 of company A into ``out``; (exit code, stderr)."""
        args = icsoe_cli._parser().parse_args(
            [
                "generate",
                "--company",
                str(self.company_a.id),
                "--year",
                "2026",
                "--period",
                "1",
                "--output",
                str(out),
            ]
        )
        stderr = io.StringIO()
        with (
            contextlib.redirect_stderr(stderr),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            code = icsoe_cli.execute(self.env, args, commit=False)
        return code, stderr.getvalue()

    @staticmethod
    def _zip_names(filing):
        with zipfile.ZipFile(io.BytesIO(filing._zip_bytes())) as archive:
            return archive.namelist()

    def _tracked_filing(self, period="1"):
        """A generated draft of company A whose changes Odoo tracks in its chatter.

        The shared fixture turns tracking off; and Odoo tracks a record from the
        transaction after its creation, hence the flush.
        """
        filing = (
            self.Filing.with_context(tracking_disable=False)
            .with_user(self.icsoe_user)
            .create({"company_id": self.company_a.id, "year": 2026, "period": period})
        )
        filing.action_generate()
        self._flush_tracking()
        return filing

    def _attachments(self, filing):
        """Every file attached to ``filing``, the acuse included."""
        return self.env["ir.attachment"].search(
            [
                ("res_model", "=", filing._name),
                ("res_id", "=", filing.id),
                "|",
                ("res_field", "=", False),
                ("res_field", "!=", False),
            ]
        )

    def _flush_tracking(self):
        """What Odoo does at commit: write the tracking messages."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _register(self, filing, folio="N262253432"):
        filing.with_user(self.icsoe_manager)._register_filed(
            folio, datetime(2026, 5, 5, 19, 30), PDF, "acuse.pdf"
        )
        self._flush_tracking()

    def _messages(self, filing):
        """(state tracking messages, other messages) of ``filing``'s chatter."""
        messages = self.env["mail.message"].search(
            [("model", "=", filing._name), ("res_id", "=", filing.id)]
        )
        tracking = messages.filtered(
            lambda m: "state" in m.tracking_value_ids.field_id.mapped("name")
        )
        return tracking, messages - tracking

    # ------------------------------------------------------------------ exports

    def test_forged_export_stays_out(self):
        filing = self._confirmed()
        exports = filing.export_attachment_ids
        names = sorted(exports.mapped("name"))
        self.assertEqual(len(exports), 4)
        forged = self._forge(filing)  # users may attach files to a confirmed filing
        filing.invalidate_recordset()
        self.assertEqual(filing.export_attachment_ids, exports)
        self.assertNotIn(forged, filing.export_attachment_ids)
        self.assertEqual([n for n, _c in filing._export_files()], names)
        self.assertEqual(sorted(self._zip_names(filing)), names)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp, "a", "b", "out")
            code, stderr = self._generate(out)
            self.assertEqual(code, 0, stderr)
            written = sorted(str(p.relative_to(tmp)) for p in Path(tmp).rglob("*.*"))
            self.assertEqual(
                written,
                sorted(
                    f"a/b/out/{n}" for n in [*names, "ICSOE_2026-1_Normal_checks.txt"]
                ),
            )
        # Nor can anyone link it in: the exports are the addon's to write.
        for user in (self.icsoe_user, self.icsoe_manager):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                filing.with_user(user).write(
                    {"export_attachment_ids": [Command.link(forged.id)]}
                )

    def test_forged_export_on_draft_never_frozen(self):
        filing = self._filing()
        forged = self._forge(filing)
        with self.assertRaises(UserError):
            filing.with_user(self.icsoe_user).write(
                {"export_attachment_ids": [Command.link(forged.id)]}
            )
        filing.with_user(self.icsoe_manager).action_confirm()
        self.assertNotIn(forged, filing.export_attachment_ids)
        self.assertNotIn(FORGED, self._zip_names(filing))
        filing.with_user(self.icsoe_manager).action_draft()
        self.assertFalse(filing.export_attachment_ids)
        self.assertFalse(filing.exports_sha256)
        self.assertTrue(forged.exists(), "going back to draft drops the exports only")

    def test_forged_acuse_refused(self):
        """A user file on ``res_field='acuse'`` would be read as the acuse."""
        draft = self._filing(period="2")
        for user in (self.icsoe_user, self.icsoe_manager):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "Acuse"),
            ):
                self._forge(draft, user=user, name="acuse", res_field="acuse")
            # nor through a context default, nor by moving a file there
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "Acuse"),
            ):
                self._forge(draft.with_context(default_res_field="acuse"), user=user)
            mine = self._forge(draft, user=user, name="mine.pdf")
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "Acuse"),
            ):
                mine.with_user(user).write({"res_field": "acuse"})
        self.assertFalse(draft.acuse)
        filed = self._filed()
        acuse = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", filed._name),
                    ("res_id", "=", filed.id),
                    ("res_field", "=", "acuse"),
                ]
            )
        )
        self.assertEqual(len(acuse), 1)
        with self.assertRaisesRegex(UserError, "Acuse"):
            acuse.with_user(self.icsoe_manager).copy()
        with self.assertRaisesRegex(UserError, "Acuse"):
            self._forge(filed, user=self.icsoe_manager, res_field="acuse")
        self.assertEqual(filed.acuse, PDF)

    def test_reference_traversal_gives_safe_name(self):
        self.c1.name = "../../Año\\01/Ñ-x\n"
        self.c2.name = "."
        filing = self._filing()
        names = [n for n, _c in filing._worker_csv_files()]
        # accents dropped (ñ → n), anything else outside [A-Za-z0-9_-] becomes "_"
        self.assertEqual(
            names, ["contrato_001_______Ano_01_N-x_.csv", "contrato_002__.csv"]
        )
        filing.with_user(self.icsoe_manager).action_confirm()
        for name in filing.export_attachment_ids.mapped("name"):
            self.assertTrue(is_plain_name(name), name)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp, "a", "b", "out")
            code, stderr = self._generate(out)
            self.assertEqual(code, 0, stderr)
            self.assertEqual({p.parent for p in Path(tmp).rglob("*.*")}, {out})
            self.assertTrue((out / "contrato_001_______Ano_01_N-x_.csv").exists())

    def test_filing_name_is_a_safe_prefix(self):
        for filing_type, prefix in (
            ("normal", "ICSOE_2026-1_Normal"),
            ("no_info", "ICSOE_2026-1_Sin_informacion"),
            ("correction", "ICSOE_2026-1_Correccion"),
        ):
            filing = self.Filing.new(
                {"year": 2026, "period": "1", "filing_type": filing_type}
            )
            self.assertEqual(filing._file_prefix(), prefix)

    def test_command_never_writes_outside_output(self):
        filing = self._confirmed()
        with tempfile.TemporaryDirectory() as tmp:
            # A link in the output folder to a file elsewhere is not followed.
            outside = Path(tmp, "outside.csv")
            outside.write_bytes(b"keep")
            out = Path(tmp, "out")
            out.mkdir()
            (out / "contrato_001_C1.csv").symlink_to(outside)
            code, stderr = self._generate(out)
            self.assertEqual(code, 1)
            self.assertIn("outside", stderr)
            self.assertEqual(outside.read_bytes(), b"keep")
            self.assertEqual([p.name for p in out.iterdir()], ["contrato_001_C1.csv"])
            # A name that is not a plain base name (changed outside the addon, hash
            # and all) is refused: no file is written, none escapes.
            (out / "contrato_001_C1.csv").unlink()
            export = filing.export_attachment_ids.filtered(
                lambda a: a.name == "contrato_002_C2.csv"
            )
            internal(export).write({"name": "../escaped.csv"})
            files = [(a.name, a.raw) for a in filing.export_attachment_ids]
            internal(filing).write({"exports_sha256": exports_digest(files)})
            code, stderr = self._generate(out)
            self.assertEqual(code, 1)
            self.assertIn("../escaped.csv", stderr)
            self.assertEqual(
                sorted(p.name for p in Path(tmp).rglob("*")), ["out", "outside.csv"]
            )
            with self.assertRaisesRegex(UserError, "not a plain file name"):
                filing._zip_bytes()

    # ------------------------------------------------------------------ hashes

    def test_exports_sha256(self):
        filing = self._confirmed()
        files = [(a.name, a.raw) for a in filing.export_attachment_ids]
        self.assertEqual(len(files), 4)
        manifest = "".join(
            f"{hashlib.sha256(content).hexdigest()}  {name}\n"
            for name, content in sorted(files)
        )
        self.assertEqual(
            filing.exports_sha256, hashlib.sha256(manifest.encode()).hexdigest()
        )
        self.assertEqual(filing.exports_sha256, exports_digest(filing._export_files()))
        self.assertNotEqual(filing.exports_sha256, filing.snapshot_sha256)
        # Every file counts: any byte or name changed gives another hash.
        for index, (name, content) in enumerate(files):
            for changed in ((name, content + b" "), (name + "x", content)):
                with self.subTest(file=name, changed=changed[0]):
                    other = files[:index] + [changed] + files[index + 1 :]
                    self.assertNotEqual(exports_digest(other), filing.exports_sha256)
        # An export changed behind the addon's back is refused, not downloaded.
        export = filing.export_attachment_ids.filtered(
            lambda a: a.name == "contrato_001_C1.csv"
        )
        internal(export).write({"raw": b"NSS,CURP,SBC\r\n"})
        with self.assertRaisesRegex(UserError, "no longer match"):
            filing._zip_bytes()
        with tempfile.TemporaryDirectory() as tmp:
            code, stderr = self._generate(Path(tmp))
            self.assertEqual(code, 1)
            self.assertIn("no longer match", stderr)
            self.assertFalse(any(Path(tmp).iterdir()))

    # ------------------------------------------------------------------ attachment guard

    def test_frozen_exports_and_acuse_stay(self):
        filing = self._filed()
        other = self._filing(period="2")
        attachments = self._attachments(filing)
        export = attachments.filtered(lambda a: a.name.endswith("_snapshot.xml"))
        acuse = attachments.filtered(lambda a: a.res_field == "acuse")
        self.assertEqual(len(export | acuse), 2)
        content = export.raw
        for attachment in export | acuse:
            # moved off or onto the acuse field
            res_field = "acuse" if attachment == export else False
            for env in (attachment.with_user(self.icsoe_manager), attachment.sudo()):
                for vals in (
                    {"raw": b"other"},
                    {"datas": base64.b64encode(b"other")},
                    {"name": "other.xml"},
                    {"res_id": other.id},
                    {"res_model": "res.partner", "res_id": self.client.id},
                    {"res_field": res_field},
                    {"public": True},
                ):
                    with (
                        self.subTest(
                            attachment=attachment.name, su=env.env.su, vals=vals
                        ),
                        self.assertRaisesRegex(UserError, "cannot be changed or moved"),
                    ):
                        env.write(vals)
                with (
                    self.subTest(attachment=attachment.name, su=env.env.su),
                    self.assertRaisesRegex(UserError, "cannot be deleted"),
                ):
                    env.unlink()
        self.assertEqual(export.raw, content)
        self.assertEqual(filing.acuse, PDF)
        self.assertEqual(filing.exports_sha256, exports_digest(filing._export_files()))

    def test_storage_migration_and_access_token(self):
        filing = self._filed()
        frozen = self._attachments(filing)
        self.assertEqual(len(frozen), 5)  # 4 exports and the acuse
        contents = {a.id: a.raw for a in frozen}
        checksums = {a.id: a.checksum for a in frozen}
        Param = self.env["ir.config_parameter"].sudo()
        Attachment = self.env["ir.attachment"]
        # file -> db -> file, as Odoo's storage migration does it
        for location in ("db", "file"):
            Param.set_param("ir_attachment.location", location)
            Attachment.force_storage()
            frozen.invalidate_recordset()
            for attachment in frozen:
                with self.subTest(location=location, attachment=attachment.name):
                    self.assertEqual(bool(attachment.store_fname), location == "file")
                    self.assertEqual(bool(attachment.db_datas), location == "db")
                    self.assertEqual(attachment.raw, contents[attachment.id])
                    self.assertEqual(attachment.checksum, checksums[attachment.id])
        # A token to share an export, asked by a manager.
        export = frozen.filtered(lambda a: a.name.endswith(".csv"))[0]
        export = export.with_user(self.icsoe_manager)
        [token] = export.generate_access_token()
        self.assertTrue(token)
        self.assertEqual(export.access_token, token)
        self.assertEqual(filing.exports_sha256, exports_digest(filing._export_files()))

    # ------------------------------------------------------------------ audit trail

    def _note(self, filing, body="Revisado con el contador"):
        return (
            filing.with_user(self.icsoe_manager)
            .message_post(body=body, message_type="comment")
            .sudo(False)
        )

    def test_audit_trail_of_filed_informativa(self):
        filing = self._tracked_filing()
        filing.with_user(self.icsoe_manager).action_confirm()
        self._flush_tracking()
        self._register(filing)
        note = self._note(filing)
        tracking, _others = self._messages(filing)
        self.assertEqual(len(tracking), 2)  # Draft → Confirmed, Confirmed → Filed
        tracked = tracking.tracking_value_ids.sorted("id").read(
            ["old_value_char", "new_value_char"]
        )
        admin = self.env.ref("base.user_admin")
        other = self._filing(period="2")
        for message in tracking | note:
            for user in (self.icsoe_manager, admin):
                as_user = message.with_user(user)
                for vals in (
                    {"body": "<p>otra cosa</p>"},
                    {"tracking_value_ids": [Command.clear()]},
                    {"res_id": other.id},
                ):
                    with (
                        self.subTest(message=message.id, user=user.login, vals=vals),
                        self.assertRaisesRegex(UserError, "audit trail"),
                    ):
                        as_user.write(vals)
                with (
                    self.subTest(message=message.id, user=user.login),
                    self.assertRaisesRegex(UserError, "audit trail"),
                ):
                    as_user.unlink()
        # the chatter's own edit and delete (the message comes as sudo)
        for body in ("editado", ""):
            with (
                self.subTest(body=body),
                self.assertRaisesRegex(UserError, "audit trail"),
            ):
                filing.with_user(self.icsoe_manager)._message_update_content(
                    note.sudo(), body, attachment_ids=[]
                )
        values = tracking.tracking_value_ids.with_user(admin)
        with self.assertRaisesRegex(UserError, "audit trail"):
            values.write({"old_value_char": "Borrador"})
        with self.assertRaisesRegex(UserError, "audit trail"):
            values.unlink()
        with self.assertRaisesRegex(UserError, "audit trail"):
            values[0].copy({"mail_message_id": note.id})
        # Nor can a message from elsewhere be moved into it.
        stray = self._note(other, "x")
        with self.assertRaisesRegex(UserError, "audit trail"):
            stray.with_user(admin).write({"res_id": filing.id})
        self.assertEqual(self._messages(filing)[0], tracking)
        self.assertEqual(
            tracking.tracking_value_ids.sorted("id").read(
                ["old_value_char", "new_value_char"]
            ),
            tracked,
        )
        self.assertIn("Revisado con el contador", note.body)
        # New notes can still be posted.
        new = filing.with_user(self.icsoe_user).message_post(
            body="Acuse archivado", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.assertIn(new, filing.message_ids)

    def test_audit_trail_of_confirmed_and_replaced(self):
        original = self._tracked_filing()
        original.with_user(self.icsoe_manager).action_confirm()
        self._flush_tracking()
        confirmed, _others = self._messages(original)
        note = self._note(original)
        self.assertEqual(len(confirmed), 1)
        for message in confirmed | note:
            with self.assertRaisesRegex(UserError, "audit trail"):
                message.with_user(self.icsoe_manager).unlink()
        self._register(original)
        action = original.with_user(self.icsoe_manager).action_new_correction()
        correction = original.browse(action["res_id"])  # tracked too
        self._flush_tracking()
        correction.with_user(self.icsoe_manager).action_confirm()
        self._register(correction, folio="N262253433")
        self.assertEqual(original.state, "replaced")
        tracking, others = self._messages(original)
        replaced_by = others.filtered(lambda m: "Replaced" in m.body)
        self.assertEqual(len(replaced_by), 1)  # posted by the addon
        self.assertEqual(len(tracking), 3)  # … → Filed → Replaced
        for message in tracking | note | replaced_by:
            with self.assertRaisesRegex(UserError, "audit trail"):
                message.with_user(self.icsoe_manager).write({"body": "x"})
        # The superuser is not stopped (Odoo's own mail machinery).
        note.sudo().write({"body": "<p>corregido por el sistema</p>"})
        self.assertIn("corregido", note.body)

    def test_draft_chatter_stays_standard(self):
        filing = self._tracked_filing()
        note = self._note(filing, "Borrador")
        filing.with_user(self.icsoe_manager)._message_update_content(
            note.sudo(), "Borrador revisado"
        )
        self.assertIn("Borrador revisado", note.body)
        note.write({"body": "<p>otra vez</p>"})
        note.unlink()
        self.assertFalse(note.exists())
        # Back to draft, a confirmed informativa's chatter is a draft's again.
        filing.with_user(self.icsoe_manager).action_confirm()
        self._flush_tracking()
        tracking, _others = self._messages(filing)
        self.assertEqual(len(tracking), 1)
        with self.assertRaisesRegex(UserError, "audit trail"):
            tracking.with_user(self.icsoe_manager).unlink()
        filing.with_user(self.icsoe_manager).action_draft()
        tracking.with_user(self.icsoe_manager).unlink()
        self.assertFalse(tracking.exists())
