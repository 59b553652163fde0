"""The WSGI entry point (gunicorn ppaos.wsgi): refuses to serve on unsafe settings."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppaos.settings")
application = get_wsgi_application()

from ppaos.ops.checks import refuse_unsafe_settings  # noqa: E402  (needs the apps loaded)

refuse_unsafe_settings()

from ppaos.ops.warmup import warm_up  # noqa: E402

warm_up()  # before gunicorn forks: no worker pays for it on its first request

from django.db import connections  # noqa: E402

connections.close_all()  # gunicorn --preload forks after this: no shared connection
