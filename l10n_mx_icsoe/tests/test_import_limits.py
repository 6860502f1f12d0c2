"""One payroll CFDI import holds bounded resources (wizard and command).

A ZIP bomb, an archive whose header lies, an upload bigger than the import's
total once expanded, too many files: each is refused with a message naming the
file, the limit and what to do, before the bytes are held and before anything
is written. The limits are system parameters shown in the ICSOE settings.
"""

import contextlib
import io
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_mx_icsoe.cli import icsoe as icsoe_cli
from odoo.addons.l10n_mx_icsoe.icsoe import cfdi
from odoo.addons.l10n_mx_icsoe.models.payroll_cfdi import (
    background_threshold,
    import_limits,
)

from .common import IcsoeCase
from .test_lib_cfdi import (
    build_cfdi,
    forged_zip,
    make_zip,
    nomina_spec,
    padded_cfdi,
    zeros_deflate,
)

MIB = cfdi.MIB


@tagged("post_install", "-at_install")
class TestImportLimits(IcsoeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bomb_stream = zeros_deflate(1024)  # 1 GiB of zeros in about 1 MiB
        cls.params = cls.env["ir.config_parameter"]

    def _cfdi(self, n, kib=0):
        """A valid payroll CFDI of company A for the first worker, number *n*."""
        worker = self.workers[0]
        kwargs = {
            "nominas": [
                nomina_spec(
                    receptor={
                        "Curp": worker.l10n_mx_curp,
                        "NumSeguridadSocial": worker.ssnid,
                    },
                    subcontracts=[],
                )
            ],
            "emisor": {"Rfc": self.company_a.vat},
            "uuid": f"{n:08d}-1111-4111-8111-111111111111",
        }
        return padded_cfdi(kib, **kwargs) if kib else build_cfdi("4.0", **kwargs)

    def _wizard(self, files):
        """The import wizard of an ICSOE Manager with *files* uploaded by him."""
        manager_env = self.env(user=self.icsoe_manager)
        uploads = manager_env["ir.attachment"].create(
            [{"name": name, "raw": data} for name, data in files]
        )
        return manager_env["l10n_mx_icsoe.cfdi.import"].create(
            {"company_id": self.company_a.id, "attachment_ids": [(6, 0, uploads.ids)]}
        )

    def _written(self):
        return (
            self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]),
            self.env["l10n_mx_icsoe.sbc"].search_count([]),
            self.env["hr.employee"].search_count([]),
        )

    def _refused(self, wizard, *fragments):
        """Preview and import are both refused with a message holding *fragments*;
        returns (seconds, peak bytes allocated) of the preview."""
        before = self._written()
        tracemalloc.start()
        started = time.perf_counter()
        try:
            with self.assertRaises(UserError) as caught:
                wizard.action_preview()
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        for fragment in ("Nothing was imported", *fragments):
            self.assertIn(fragment, str(caught.exception))
        with self.assertRaises(UserError):
            wizard.action_import()
        self.assertEqual(self._written(), before)
        return elapsed, peak

    def test_zip_bomb_is_refused_at_once_holding_nothing(self):
        bomb = forged_zip("nomina.xml", self.bomb_stream, file_size=1 << 30)
        wizard = self._wizard([("nominas.zip", bomb)])
        elapsed, peak = self._refused(
            wizard, "nominas.zip/nomina.xml", "2 MiB", "Largest file (MiB)"
        )
        self.assertLess(elapsed, 0.5)
        self.assertLess(peak, 2 * MIB, "the member was not read")

    def test_zip_bomb_with_a_lying_header_is_stopped_while_read(self):
        """Its header declares 2 MiB (the file limit): the ratio actually seen
        while reading stops it, with less than the file limit held."""
        bomb = forged_zip("nomina.xml", self.bomb_stream, file_size=2 * MIB)
        wizard = self._wizard([("nominas.zip", bomb)])
        elapsed, peak = self._refused(
            wizard,
            "nominas.zip/nomina.xml",
            "more than 100 times its compressed size",
            "Compression ratio",
        )
        self.assertLess(elapsed, 1.0)
        self.assertLess(peak, 2 * MIB + 3 * MIB)

    def test_three_archives_over_the_total_are_refused(self):
        self.params.set_param("l10n_mx_icsoe.import_max_total_mb", "1")
        files = [
            (f"lote-{n}.zip", make_zip({f"recibo-{n}.xml": self._cfdi(n, kib=400)}))
            for n in range(1, 4)
        ]  # about 1.2 MiB once expanded, each archive about 0.4
        wizard = self._wizard(files)
        self._refused(
            wizard,
            "more than 1 MiB once expanded",
            "(reached at lote-3.zip)",
            "Split the upload into several imports",
            "Total size (MiB)",
        )
        # with room for it, the same upload is imported
        self.params.set_param("l10n_mx_icsoe.import_max_total_mb", "2")
        wizard = self._wizard(files)
        wizard.action_preview()
        wizard.action_import()
        self.assertEqual(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), 3)

    def test_too_many_files_are_refused(self):
        self.params.set_param("l10n_mx_icsoe.import_max_files", "2")
        files = [
            ("suelto.xml", self._cfdi(1)),
            ("lote.zip", make_zip({"a.xml": self._cfdi(2), "b.xml": self._cfdi(3)})),
        ]
        self._refused(
            self._wizard(files), "more than 2 files", "lote.zip", "Most files"
        )

    def test_command_measures_files_before_reading_them(self):
        """A 256 MiB file (sparse: it takes no disk) is refused without being read."""
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "recibo.xml").write_bytes(self._cfdi(1))
            with open(Path(folder, "enorme.xml"), "wb") as huge:
                huge.truncate(256 * MIB)
            args = icsoe_cli._parser().parse_args(
                ["import-cfdi", "--company", str(self.company_a.id), folder]
            )
            stderr = io.StringIO()
            tracemalloc.start()
            started = time.perf_counter()
            try:
                with contextlib.redirect_stderr(stderr):
                    code = icsoe_cli.execute(self.env, args, commit=False)
                elapsed = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            self.assertEqual(code, 1)
            self.assertIn("enorme.xml is larger than 2 MiB", stderr.getvalue())
            self.assertLess(elapsed, 1.0)
            self.assertLess(peak, 4 * MIB)
            self.assertFalse(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]))
            # the total counts across the files of the command too
            os.unlink(Path(folder, "enorme.xml"))
            Path(folder, "otro.xml").write_bytes(self._cfdi(2, kib=700))
            Path(folder, "tercero.xml").write_bytes(self._cfdi(3, kib=700))
            self.env["ir.config_parameter"].set_param(
                "l10n_mx_icsoe.import_max_total_mb", "1"
            )
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                code = icsoe_cli.execute(self.env, args, commit=False)
            self.assertEqual(code, 1)
            self.assertIn("more than 1 MiB once expanded", stderr.getvalue())
            self.assertFalse(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]))

    def test_limits_are_settings_with_defaults(self):
        defaults = import_limits(self.env)
        self.assertEqual(defaults, cfdi.ImportLimits())
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.l10n_mx_icsoe_import_max_total_mb, 1024)
        self.assertEqual(settings.l10n_mx_icsoe_import_max_file_mb, 2)
        self.assertEqual(settings.l10n_mx_icsoe_import_max_files, 200000)
        self.assertEqual(settings.l10n_mx_icsoe_import_max_ratio, 100)
        # uploads above these go to the background
        self.assertEqual(settings.l10n_mx_icsoe_import_background_files, 2000)
        self.assertEqual(settings.l10n_mx_icsoe_import_background_mb, 50)
        self.assertEqual(
            background_threshold(self.env), {"files": 2000, "bytes": 50 * MIB}
        )
        settings.write(
            {
                "l10n_mx_icsoe_import_max_total_mb": 300,
                "l10n_mx_icsoe_import_max_file_mb": 5,
                "l10n_mx_icsoe_import_max_files": 50000,
                "l10n_mx_icsoe_import_max_ratio": 0,  # back to the default
            }
        )
        settings.execute()
        self.assertEqual(
            import_limits(self.env),
            cfdi.ImportLimits(
                file_bytes=5 * MIB, total_bytes=300 * MIB, files=50000, ratio=100
            ),
        )
        self.assertEqual(
            self.params.get_param("l10n_mx_icsoe.import_max_total_mb"), "300"
        )
        # a value that is not a number is the default, not an error
        self.params.set_param("l10n_mx_icsoe.import_max_files", "muchos")
        self.assertEqual(import_limits(self.env).files, cfdi.MAX_IMPORT_FILES)
