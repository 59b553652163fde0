from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "ppaos.referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from ppaos.areas.services import PROVINCE_ONBOARDED
        from ppaos.lib import events
        from ppaos.referrals.services.routing import local_providers_ensure

        # An onboarded province's อปท. get their provider organisations (office, health fund).
        events.listen(PROVINCE_ONBOARDED, local_providers_ensure)
