from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "ppaos.dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        """Connect the receiver that refreshes a community after a review decision."""
        from ppaos.dashboards import receivers  # noqa: F401
