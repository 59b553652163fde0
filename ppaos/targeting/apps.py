from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetingConfig(AppConfig):
    name = "ppaos.targeting"
    verbose_name = _("Targeting and verification")

    def ready(self) -> None:
        from ppaos.targeting import privacy  # noqa: F401 - registers the erasure of visits
