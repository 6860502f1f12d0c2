"""Plain-Python ICSOE rules: identifiers, periods, upload layouts, snapshots, diffs,
payroll CFDI reading.

Nothing in this package imports Odoo, so it can be tested and reused on its own.
"""

from . import cfdi, diff, identifiers, layouts, periods, snapshot

__all__ = ["cfdi", "diff", "identifiers", "layouts", "periods", "snapshot"]
