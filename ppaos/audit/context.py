"""The request behind the current piece of work, so services can say "from where"."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


COMMAND_LINE = RequestContext(path="(command line)")
current_request: ContextVar[RequestContext | None] = ContextVar("ppaos_request", default=None)


def current_context() -> RequestContext:
    """The request being served, or COMMAND_LINE for management commands and tasks."""
    return current_request.get() or COMMAND_LINE
