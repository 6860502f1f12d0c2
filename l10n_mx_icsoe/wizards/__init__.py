from . import filing_register
