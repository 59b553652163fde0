from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ppaos.ops.health import health_report


@never_cache
@require_GET
def health(request):
    """For monitoring: 200 when every check passes, 503 otherwise; JSON either way."""
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)
