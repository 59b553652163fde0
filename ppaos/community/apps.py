from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "ppaos.community"
    verbose_name = _("Community data and fund")

    def ready(self) -> None:
        from ppaos.community import privacy  # noqa: F401 (registers the privacy hooks)
