"""Audit trail: the chatter of confirmed and filed informativas stays as it is."""
