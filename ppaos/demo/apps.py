from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The synthetic demo: its commands call each app's demo generator, in order. It sits
    above every other app and nothing imports it."""

    name = "ppaos.demo"
    verbose_name = _("Demo data")
