"""The API's Redoc page under the Content-Security-Policy.

Redoc draws its styles at run time: styled-components adds <style> elements, which style-src
'self' blocks (Redoc then shows only "Something went wrong"). No static file can replace them,
so this page alone also allows <style> elements that carry the request's nonce; style="" and
un-nonced <style> stay blocked, and no policy has 'unsafe-inline'. The nonce reaches Redoc through
the nonce property of the static script that starts it (api/redoc-init.js)."""

from django.conf import settings
from django.middleware.csp import get_nonce
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override, csp_report_only_override
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView


def _with_style_nonce(policy: dict) -> dict:
    if not policy:
        return {}  # no header of that kind, as for every other page
    return {**policy, "style-src": [*policy.get("style-src", [CSP.SELF]), CSP.NONCE]}


class RedocView(SpectacularRedocView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["csp_nonce"] = get_nonce(request)
        return response


def redoc_view(**kwargs):
    view = RedocView.as_view(**kwargs)
    view = csp_override(_with_style_nonce(settings.SECURE_CSP))(view)
    return csp_report_only_override(_with_style_nonce(settings.SECURE_CSP_REPORT_ONLY))(view)
