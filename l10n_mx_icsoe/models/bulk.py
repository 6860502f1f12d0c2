"""Bulk reads and writes for the reports' line tables (tens or hundreds of
thousands of rows).

- :func:`stream` reads a large result set from a server-side cursor, a batch
  of rows at a time, so that no more than a batch is in memory;
- :class:`Spool` collects rows in PostgreSQL's COPY text format in a spooled
  temporary file (memory up to :data:`SPOOL_BYTES`, then disk) and loads them
  with one ``COPY … FROM STDIN``: an INSERT of that many rows would first be
  spelled out as SQL text, which PostgreSQL then parses row by row.

As Odoo does in ``BaseModel._ensure_xml_id``, the psycopg2 wait callback is off
during a COPY.
"""

import json
import tempfile
import uuid
from contextlib import contextmanager

import psycopg2

from odoo.tools import SQL

FETCH_ROWS = 5000
SPOOL_BYTES = 8 * 1024 * 1024

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value):
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dict | list):
        return json.dumps(value).translate(_COPY_ESCAPES)
    return str(value)


def _real_cursor(cr):
    """The psycopg2 connection behind Odoo's cursor (also under a test cursor)."""
    return cr._cnx  # pylint: disable=protected-access


def stream(cr, query, size=FETCH_ROWS):
    """Yield the rows of ``query`` (an ``SQL``) as dicts, fetched ``size`` at a
    time from a server-side cursor of the current transaction."""
    with _real_cursor(cr).cursor(name=f"icsoe_{uuid.uuid4().hex}") as server:
        server.itersize = size
        server.execute(query.code, query.params)
        names = None
        while True:
            batch = server.fetchmany(size)
            if not batch:
                break
            if names is None:
                names = [column[0] for column in server.description]
            for values in batch:
                yield dict(zip(names, values, strict=True))


def ensure_consumed(pending):
    """After merging a stream of rows into their parent lines in the same
    order: a row left over would be a row silently left out."""
    if pending is not None:
        raise RuntimeError(
            f"a streamed row matched no line (order mismatch): {pending!r}"
        )


@contextmanager
def _no_wait_callback():
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        yield
    finally:
        psycopg2.extensions.set_wait_callback(callback)


class Spool:
    """Rows of one table, in COPY text format, to be loaded with :meth:`load`.

    ``columns`` are written for every row from ``row[column]``; ``common``
    (column -> value) is the same for every row (report, company, audit
    columns)."""

    def __init__(self, table, columns, common):
        self.table = table
        self.columns = tuple(columns)
        self.common = dict(common)
        self._head = "".join(copy_text(v) + "\t" for v in self.common.values())
        self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed in copy)
            max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline="\n"
        )
        self.count = 0

    def add(self, row):
        columns = self.columns
        self._file.write(
            self._head + "\t".join([copy_text(row[c]) for c in columns]) + "\n"
        )
        self.count += 1

    def load(self, cr):
        """Load the rows with one COPY and drop the spool."""
        try:
            if not self.count:
                return
            self._file.seek(0)
            query = SQL(
                "COPY %s (%s) FROM STDIN",
                SQL.identifier(self.table),
                SQL(", ").join(
                    SQL.identifier(name) for name in (*self.common, *self.columns)
                ),
            )
            with _no_wait_callback():
                cr.copy_expert(query.code, self._file)
        finally:
            self._file.close()


class UpdateSpool:
    """New values of some columns of many rows of ``table`` (by ``id``), loaded
    into a temporary table with one COPY and applied with one UPDATE."""

    def __init__(self, table, columns):
        self.table = table
        self.columns = tuple(columns)
        self.temp = f"icsoe_update_{uuid.uuid4().hex}"
        self._spool = Spool(self.temp, ("id", *self.columns), {})

    def add(self, row):
        self._spool.add(row)

    def apply(self, cr):
        if not self._spool.count:
            self._spool.load(cr)  # closes the spool
            return
        temp = SQL.identifier(self.temp)
        cr.execute(
            SQL(
                "CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA",
                temp,
                SQL(", ").join(SQL.identifier(c) for c in ("id", *self.columns)),
                SQL.identifier(self.table),
            )
        )
        self._spool.load(cr)
        cr.execute(
            SQL(
                "UPDATE %s AS t SET %s FROM %s AS u WHERE t.id = u.id",
                SQL.identifier(self.table),
                SQL(", ").join(
                    SQL("%s = u.%s", SQL.identifier(c), SQL.identifier(c))
                    for c in self.columns
                ),
                temp,
            )
        )
        # Dropped now when all went well; after an error the transaction is
        # rolled back, and the table with it (its error is the one reported).
        cr.execute(SQL("DROP TABLE %s", temp))


def copy_rows(cr, table, columns, common, rows):
    """Load ``rows`` (dicts) into ``table`` with one COPY."""
    spool = Spool(table, columns, common)
    for row in rows:
        spool.add(row)
    spool.load(cr)
