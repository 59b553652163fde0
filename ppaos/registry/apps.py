from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ppaos.registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from ppaos.registry import id_crypto  # noqa: F401 - registers the key system check
