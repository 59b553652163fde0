"""The request behind the current piece of work, so services can say "from where"."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


current_request: ContextVar[RequestContext] = ContextVar(
    "ppaos_request", default=RequestContext(path="(command line)")
)
