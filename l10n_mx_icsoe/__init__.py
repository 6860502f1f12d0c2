from . import icsoe
from . import models
from . import wizards
from . import cli
