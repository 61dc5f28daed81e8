from . import customer_purchase
