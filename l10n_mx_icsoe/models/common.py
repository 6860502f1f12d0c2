"""Translated messages for identifier errors raised by the plain-Python layer."""

from ..icsoe.identifiers import IdentifierError


def identifier_message(env, error: IdentifierError, record_name, field_label):
    """Return a translated message naming the record and the field."""
    reasons = {
        "empty": env._("it is empty"),
        "nss_length": env._("an NSS has exactly 11 digits"),
        "nss_digits": env._("an NSS has only digits"),
        "nss_checksum": env._("its check digit (the 11th digit) is wrong"),
        "curp_length": env._("a CURP has exactly 18 characters"),
        "curp_format": env._("it does not follow the CURP structure"),
        "curp_date": env._("its birth date or state code is not valid"),
        "curp_checksum": env._("its check digit (the 18th character) is wrong"),
        "rfc_length": env._("an RFC has 12 (moral) or 13 (física) characters"),
        "rfc_format": env._("it does not follow the RFC structure"),
        "rfc_date": env._("its date is not a valid date"),
        "sbc_invalid": env._("it is not a number"),
        "sbc_not_positive": env._("it must be greater than zero"),
        "sbc_decimals": env._("it must have at most 2 decimals"),
        "phone_invalid": env._(
            "it is not a valid Mexican phone number (10 digits, without the old "
            "044, 045 or +52 1 mobile prefixes)"
        ),
    }
    reason = reasons.get(error.code, str(error))
    return env._(
        "%(record)s: %(field)s '%(value)s' is not valid: %(reason)s.",
        record=record_name,
        field=field_label,
        value=error.value or "",
        reason=reason,
    )
