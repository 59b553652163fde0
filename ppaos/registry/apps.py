from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ppaos.registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from ppaos.audit.selectors import register_record_finder
        from ppaos.lib import field_limits
        from ppaos.registry import id_crypto  # noqa: F401 - registers the key system check
        from ppaos.registry.selectors import audit_reference_q

        # Every PPAOS model, not only the registry's: all models are loaded before any ready().
        field_limits.install()
        register_record_finder(audit_reference_q)
