"""Structured logs: one JSON object per line, each carrying the request id of the request it
belongs to, and one line per request (RequestLogMiddleware).

Request lines hold the method, the path *without* its query string (a search such as
`?national_id=…` must never reach a log), the status, the time taken and the user's internal
id: no names, no IDs, no addresses of households."""

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

from ppaos.lib.redact import redact_ids

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_logger = logging.getLogger("ppaos.request")


class RedactIdsFilter(logging.Filter):
    """Masks national IDs in every record's message and traceback, whatever its format: a
    library's debug line or an exception that quotes a value must not leak one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact_ids(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_ids(record.exc_text)
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", ...extra}` on one line."""

    fields = ("method", "path", "status", "duration_ms", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := getattr(record, "request_id", None) or request_id.get():
            line["request_id"] = rid
        for name in self.fields:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


class RequestLogMiddleware:
    """Gives each request an id (a well-formed X-Request-ID from the proxy, or a new one),
    returns it in the response's X-Request-ID, and logs one line when the request ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _CLIENT_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response.headers["X-Request-ID"] = rid
            return response
        finally:
            user = getattr(request, "user", None)
            request_logger.info(
                "request",
                extra={
                    "request_id": rid,
                    "method": request.method,
                    "path": request.path[:200],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            request_id.reset(token)
