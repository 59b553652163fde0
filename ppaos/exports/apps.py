from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "ppaos.exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        # Each app declares its exportable lists in its own `exports` module (like admin.py).
        autodiscover_modules("exports")
