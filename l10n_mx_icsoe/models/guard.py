"""Internal writes: the workflow's own fields are written only through ``internal()``.

The marker is an object in the context. An RPC call can put any JSON value in
a context, but never this very object, so the guard cannot be bypassed from
the client.
"""

INTERNAL = object()


def internal(records):
    """``records`` allowed to write the protected fields of filings and their lines."""
    return records.with_context(l10n_mx_icsoe_internal=INTERNAL)


def is_internal(records):
    return records.env.context.get("l10n_mx_icsoe_internal") is INTERNAL
