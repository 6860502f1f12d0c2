from . import timesheet_assign
