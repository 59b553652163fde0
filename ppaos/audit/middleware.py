from ppaos.audit.context import RequestContext, current_request
from ppaos.lib.redact import redact_url


class AuditContextMiddleware:
    """Publishes the client address, agent and path for `audit_record` to read. The path keeps
    its query string (what was searched for), with national IDs masked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            path=redact_url(request.get_full_path())[:300],
        )
        token = current_request.set(context)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
