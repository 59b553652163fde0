"""Settings for `bench/latency.py` only: PPAOS's own settings plus the baseline view's URL.

The baseline (a minimal view returning the household list's page of rows from raw SQL) is
reachable only when the server runs with DJANGO_SETTINGS_MODULE=bench.latency_settings; the
production URL configuration (ppaos.urls) never holds it."""

from ppaos.settings import *  # noqa: F403

ROOT_URLCONF = "bench.latency_urls"
