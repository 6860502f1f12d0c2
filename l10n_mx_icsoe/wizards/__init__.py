from . import filing_register
from . import cfdi_import
from . import sisub_wizard
