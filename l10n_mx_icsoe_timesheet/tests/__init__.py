from . import test_timesheet_assign
