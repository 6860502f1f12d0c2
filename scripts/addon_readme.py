#!/usr/bin/env python3
"""Write l10n_mx_icsoe/README.rst from the readme/ fragments (OCA layout)."""

import re
from pathlib import Path

ADDON = Path(__file__).resolve().parents[1] / "l10n_mx_icsoe"
TITLE = "Mexico - ICSOE (IMSS specialised-services contracts)"
SECTIONS = [
    ("Configuration", "CONFIGURE.md"),
    ("Usage", "USAGE.md"),
    ("Known issues / Roadmap", "ROADMAP.md"),
    ("Changelog", "HISTORY.md"),
]


def _tables_to_rst(text):
    """Markdown pipe tables become RST list-tables (docutils reads no pipes)."""
    out, rows = [], []
    indent = ""

    def flush():
        if not rows:
            return
        out.extend([f"{indent}.. list-table::", f"{indent}   :header-rows: 1", ""])
        for row in rows:
            for index, cell in enumerate(row):
                mark = "* -" if index == 0 else "  -"
                out.append(f"{indent}   {mark} {cell or ' '}")
        out.append("")
        rows.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            if not rows:
                indent = line[: len(line) - len(line.lstrip())]
            cells = [c.strip() for c in stripped[1:-1].split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                rows.append(cells)
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)


def md_to_rst(text):
    text = _tables_to_rst(text)
    text = re.sub(r"`([^`]+)`", r"``\1``", text)
    return re.sub(
        r"^## (.+)$", lambda m: f"{m[1]}\n{'~' * len(m[1])}", text, flags=re.M
    )


def main():
    frag = ADDON / "readme"
    bar = "=" * len(TITLE)
    parts = [
        bar,
        TITLE,
        bar,
        "",
        ".. |badge1| image:: https://img.shields.io/badge/maturity-Alpha-red.png",
        "    :target: https://odoo-community.org/page/development-status",
        "    :alt: Alpha",
        ".. |badge2| image:: https://img.shields.io/badge/licence-LGPL--3-blue.png",
        "    :target: http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
        "    :alt: License: LGPL-3",
        "",
        "|badge1| |badge2|",
        "",
        md_to_rst((frag / "DESCRIPTION.md").read_text()),
        "**Table of contents**",
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for title, name in SECTIONS:
        if (frag / name).exists():
            parts += [title, "=" * len(title), "", md_to_rst((frag / name).read_text())]
    parts += [
        "Credits",
        "=======",
        "",
        "Authors",
        "~~~~~~~",
        "",
        "* l10n_mx_icsoe contributors",
        "",
    ]
    parts += [
        "Contributors",
        "~~~~~~~~~~~~",
        "",
        md_to_rst((frag / "CONTRIBUTORS.md").read_text()),
    ]
    (ADDON / "README.rst").write_text("\n".join(parts))


if __name__ == "__main__":
    main()
