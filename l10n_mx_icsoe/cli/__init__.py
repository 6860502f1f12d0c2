from . import icsoe
