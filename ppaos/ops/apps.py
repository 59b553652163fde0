from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running PPAOS as a service: the periodic-job scheduler, the health endpoint, the
    startup safety checks and structured request logs."""

    name = "ppaos.ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from ppaos.ops import checks  # noqa: F401  (registers the system checks)
