from . import lifecycle_stage_preview
from . import loyalty_points_adjust
from . import loyalty_card_update_balance
from . import loyalty_mailing_send
from . import sms_composer
from . import lifecycle_journey_results
from . import mail_compose_message
