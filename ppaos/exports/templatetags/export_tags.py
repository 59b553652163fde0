"""`{% export_links "list-name" key=value %}`: the export control of a list page."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from ppaos.exports import access
from ppaos.lib import exports as lib

register = template.Library()


def _url(spec: lib.ExportSpec, fmt: str, params: dict, pseudonymised: bool) -> str:
    base = spec.url(fmt, params) if spec.url else None
    if base:
        query = {k: v for k, v in params.items() if k in spec.filters}
    else:
        base, query = reverse("exports:list", args=[spec.name, fmt]), dict(params)
    if pseudonymised:
        query["pseudonymised"] = "1"
    return f"{base}?{urlencode(query)}" if query else base


@register.inclusion_tag("exports/_links.html", takes_context=True)
def export_links(context, name: str, label: str = "", **fixed):
    """Links to the list as CSV and Excel, with the page's current filters; the identified
    form only for roles that may have it, the pseudonymised one always."""
    spec = lib.get_spec(name)
    request = context["request"]
    params = lib.clean_params(spec, request.GET) | {k: str(v) for k, v in fixed.items()}
    identified = spec.may_identify(request.user, params, default=access.sees_people)
    return {
        "spec_name": spec.name,
        "label": label,
        "identified": identified,
        "personal": spec.has_personal,
        "csv": _url(spec, lib.CSV, params, False),
        "xlsx": _url(spec, lib.XLSX, params, False),
        "csv_pseudonymised": _url(spec, lib.CSV, params, True),
        "xlsx_pseudonymised": _url(spec, lib.XLSX, params, True),
    }
