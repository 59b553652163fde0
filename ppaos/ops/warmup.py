"""What a web worker would otherwise do on its first request, done once before gunicorn forks
(`preload_app`), so that every worker starts with it in memory (copy-on-write).

The first request of a fresh worker imported every view module through the URL configuration
(pandas, DRF, drf-spectacular among them): 1,087 ms against 12 ms for the next one
(cProfile, the household form, bytecode compiled; 2,466 ms without). A district office meets
that once per worker after every restart."""

from django.conf import settings
from django.template import engines
from django.urls import reverse
from django.utils import translation


def warm_up() -> None:
    """Import every view and build the URL maps, load the translation catalogs of every
    language and the template engines with their tag libraries. Opens no database connection."""
    reverse("home")
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            pass
    engines.all()
