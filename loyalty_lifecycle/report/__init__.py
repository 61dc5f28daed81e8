from . import customer_purchase
from . import lifecycle_journey_report
