from . import timesheet_plan
from . import contract
