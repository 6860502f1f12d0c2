from . import filing_register
from . import cfdi_import
