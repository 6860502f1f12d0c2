"""Plain-Python ICSOE rules: identifiers, periods and upload layouts.

Nothing in this package imports Odoo, so it can be tested and reused on its own.
"""

from . import identifiers, layouts, periods

__all__ = ["identifiers", "layouts", "periods"]
