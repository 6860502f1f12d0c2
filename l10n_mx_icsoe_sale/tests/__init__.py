from . import test_sale_contract
