from . import common
from . import uma
from . import repse
from . import res_company
from . import res_partner
from . import sbc
from . import hr_employee
from . import contract
