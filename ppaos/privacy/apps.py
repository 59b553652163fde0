from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "ppaos.privacy"
    verbose_name = _("Privacy and data protection")

    def ready(self):
        # Registers the built-in erasure blocker (legal holds) and eraser (target records).
        from ppaos.privacy import services  # noqa: F401
