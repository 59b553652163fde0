from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "ppaos.dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        """Refresh a community's figures when a lower app announces they changed (a survey
        assessed, a review decided): ppaos.lib.events."""
        from ppaos.dashboards.services import refresh_schedule_community
        from ppaos.lib import events

        events.listen(events.COMMUNITY_FIGURES_CHANGED, refresh_schedule_community)
