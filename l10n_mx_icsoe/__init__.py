from . import icsoe
from . import models
from . import cli
