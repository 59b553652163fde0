"""gunicorn's settings for PPAOS, one home for `ppaos serve` and deploy/ppaos-web.service:
`gunicorn -c python:ppaos.ops.gunicorn_conf ppaos.wsgi:application`."""

from ppaos.lib.env import env_int, env_str

bind = env_str("PPAOS_BIND", "127.0.0.1:8000")
workers = env_int("PPAOS_WEB_WORKERS", 3)
# Load the application once, before forking: unsafe settings (ppaos/ops/checks.py) stop the
# whole server at once instead of each worker failing in turn.
preload_app = True
timeout = 120
graceful_timeout = 20
# No gunicorn access log: it would print query strings, which may hold a national ID. Requests
# are logged by ppaos.lib.logs.RequestLogMiddleware, one JSON line each, without them.
accesslog = None
errorlog = "-"
