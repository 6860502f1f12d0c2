from . import product_template
from . import contract
from . import sale_order
