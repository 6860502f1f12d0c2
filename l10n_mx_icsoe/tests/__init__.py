from . import test_master_data
from . import test_security
from . import test_filing
from . import test_tour
from . import test_schedule
from . import test_cfdi_import
from . import test_demo_payroll
from . import test_views
