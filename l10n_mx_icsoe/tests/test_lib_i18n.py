"""Checks on the Spanish (Mexico) translation against the exported template.

No Odoo needed: both files are read with polib. Refresh them with scripts/i18n.
"""

import re
from pathlib import Path

import polib
import pytest

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
POT_PATH = I18N_DIR / "l10n_mx_icsoe.pot"
PO_PATH = I18N_DIR / "es_MX.po"

# Python %-placeholders: %s, %d, %(name)s, %(sbc).2f ... ("%%" is a literal %).
PLACEHOLDER_RE = re.compile(
    r"%%|%(?:\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\))?[-+#0]*(?:\d+|\*)?(?:\.\d+)?[sdifr]"
)
TAG_RE = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


@pytest.fixture(scope="module")
def pot():
    return polib.pofile(str(POT_PATH))


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def _placeholders(text):
    """Return (set of placeholders, number of positional ones) in text."""
    found = [m for m in PLACEHOLDER_RE.finditer(text) if m.group() != "%%"]
    return {m.group() for m in found}, sum(1 for m in found if not m.group("name"))


def _translations(entry):
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _short(entry):
    return repr(entry.msgid[:80])


def test_po_parses(po):
    assert po.metadata.get("Language") == "es_MX"
    assert po.metadata.get("Plural-Forms", "").startswith("nplurals=2;")
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert len(po) > 0


def test_every_pot_msgid_is_translated(pot, po):
    translated = {
        (e.msgctxt, e.msgid): e for e in po if not e.obsolete and all(_translations(e))
    }
    missing = [
        _short(e)
        for e in pot
        if not e.obsolete and (e.msgctxt, e.msgid) not in translated
    ]
    assert not missing, (
        f"{len(missing)} msgid(s) of the .pot have no translation in es_MX.po "
        f"(run scripts/i18n, then translate): {missing[:20]}"
    )


def test_no_fuzzy_entries(po):
    fuzzy = [_short(e) for e in po if not e.obsolete and "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in es_MX.po: {fuzzy[:20]}"


def test_placeholders_match(po):
    wrong = []
    for entry in po:
        if entry.obsolete:
            continue
        expected = _placeholders(entry.msgid)
        for msgstr in _translations(entry):
            if msgstr and _placeholders(msgstr) != expected:
                wrong.append(f"{_short(entry)} -> {msgstr[:80]!r}")
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong[:20]}"


def test_markup_tags_match(po):
    wrong = []
    for entry in po:
        if entry.obsolete:
            continue
        expected = sorted(TAG_RE.findall(entry.msgid))
        for msgstr in _translations(entry):
            if msgstr and sorted(TAG_RE.findall(msgstr)) != expected:
                wrong.append(f"{_short(entry)} -> {msgstr[:80]!r}")
    assert not wrong, f"HTML tags differ between msgid and msgstr: {wrong[:20]}"


@pytest.mark.parametrize(
    ("text", "names", "positional"),
    [
        ("%(name)s is due in %(days)s day(s)", {"%(name)s", "%(days)s"}, 0),
        ("SBC %(sbc).2f of %(name)s", {"%(sbc).2f", "%(name)s"}, 0),
        ("'%s - Hoja de captura' % object.name", {"%s"}, 1),
        ("%d of %s, 100%% done", {"%d", "%s"}, 2),
        ("no placeholder, 35% off", set(), 0),
    ],
)
def test_placeholder_pattern(text, names, positional):
    assert _placeholders(text) == (names, positional)
