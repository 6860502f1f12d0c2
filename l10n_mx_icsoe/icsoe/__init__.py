"""Plain-Python ICSOE rules: identifiers, periods, upload layouts, snapshots, diffs.

Nothing in this package imports Odoo, so it can be tested and reused on its own.
"""

from . import diff, identifiers, layouts, periods, snapshot

__all__ = ["diff", "identifiers", "layouts", "periods", "snapshot"]
