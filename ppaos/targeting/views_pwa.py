"""The volunteers' offline web app: manifest, service worker, worklist data, sync.

The service worker (ppaos/static/ppaos/pwa/sw.js) is served from /targeting/sw.js so that it
controls the targeting pages (worklist, visit form, new household); pwa.js registers it on
every page, keeps the offline queue and drafts in the phone, and posts the queue to `sync`.
"""

import json
import re
import uuid
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib import safejson
from ppaos.lib.i18n import Deferred
from ppaos.registry.forms import HouseholdForm, NewMemberForm
from ppaos.registry.models import Relation
from ppaos.targeting import access, selectors, services_sync
from ppaos.targeting.forms import WORKLIST_STATUS_LABELS, OtherMemberForm
from ppaos.targeting.models import CampaignAssignment

SW_FILE = Path(__file__).resolve().parents[1] / "static" / "ppaos" / "pwa" / "sw.js"
# Bump when sw.js or the app shell changes: the new worker drops the old caches.
APP_VERSION = "2"
# Slots for other members on the new-household form; more are added from the household page.
MEMBER_SLOTS = 3
# A member's field on that form: head-<name> or m<slot>-<name>.
MEMBER_FIELD = re.compile(r"^(head|m\d+)-")
SHELL = (
    "ppaos/app.css",
    "ppaos/pwa/pwa.js",
    "vendor/htmx-2.0.11.min.js",
    "ppaos/icons/icon-192.png",
)


@cache
def _sw_source() -> str:
    return SW_FILE.read_text(encoding="utf-8")


@require_GET
def manifest(request):
    with translation.override("th"):  # the name on the phone's home screen: always Thai
        name, short_name = _("PPAOS poor household verification"), _("PPAOS volunteers")
    data = {
        "name": name,
        "short_name": short_name,
        "lang": "th",
        "start_url": reverse("targeting:home"),
        "scope": reverse("targeting:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#166534",
        "icons": [
            {"src": static("ppaos/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("ppaos/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("ppaos/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request):
    """sw.js with the app shell's URLs; never cached by HTTP, so updates reach phones."""
    config = {
        "version": APP_VERSION,
        "shell": [static(p) for p in SHELL],
        "scope": reverse("targeting:home"),
        "offline": reverse("targeting:offline_page"),
        "static": static(""),
    }
    source = f"const PPAOS = {json.dumps(config)};\n{_sw_source()}"
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("targeting:home")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline_page(request):
    """Shown by the service worker when a page was not kept on the phone."""
    return render(request, "targeting/pwa_offline.html")


@login_required
@require_GET
@never_cache
def worklist_data(request, pk: int):
    """The volunteer's worklist slice for the phone: what the app keeps offline, with the
    pages (visit forms, new household) to keep. Heads' names: audited like the page."""
    campaign = access.campaign_for_volunteer(user=request.user, pk=pk)
    work = selectors.worklist_rows(user=request.user, campaign=campaign)
    labels = dict(WORKLIST_STATUS_LABELS)
    households = [
        {
            "id": row.household.pk,
            "code": row.household.code,
            "head": row.head_name,
            "address": row.household.address_line(),
            "status": row.status,
            "status_label": str(labels[row.status]),
            "visit_url": reverse("targeting:visit", args=[campaign.pk, row.household.pk]),
        }
        for row in work.rows
    ]
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=campaign,
        label=Deferred(
            gettext_noop("worklist for offline use (%(count)s households)"), count=len(households)
        ),
    )
    return JsonResponse(
        {
            "campaign": {"id": campaign.pk, "name": campaign.name},
            "user": request.user.pk,
            "households": households,
            "pages": [
                reverse("targeting:worklist", args=[campaign.pk]),
                reverse("targeting:household_new", args=[campaign.pk]),
                reverse("targeting:offline_page"),
                *(h["visit_url"] for h in households),
            ],
        }
    )


@login_required
@require_POST
@never_cache
def sync(request):
    """POST {"items": [{"id": uuid, "kind": "visit" | "household", ...}]} (JSON, session
    and CSRF token): each item's result, in order. See services_sync for the items."""
    try:
        body = safejson.loads(request.body)
    except (safejson.JSONLimitError, ValueError):
        return HttpResponseBadRequest("JSON expected")
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return HttpResponseBadRequest("items expected")
    results = services_sync.sync_batch(user=request.user, items=items)
    return JsonResponse({"results": [r.as_dict() for r in results]})


@login_required
def household_new(request, pk: int):
    """A new household and its head, found during the campaign; works offline (pwa.js keeps
    it in the phone's queue and syncs it). Without JavaScript the form posts here."""
    campaign = access.campaign_for_volunteer(user=request.user, pk=pk)
    communities = [
        a.community
        for a in CampaignAssignment.objects.filter(
            campaign=campaign, volunteer=request.user
        ).select_related("community")
    ]
    household_form = HouseholdForm(request.POST or None)
    head_form = NewMemberForm(
        request.POST or None, prefix="head", initial={"relation": Relation.HEAD}
    )
    member_forms = [
        OtherMemberForm(request.POST or None, prefix=f"m{slot}")
        for slot in range(1, MEMBER_SLOTS + 1)
    ]
    result = None
    if request.method == "POST":
        fields = [[k, v] for k, values in request.POST.lists() for v in values]
        posted = request.POST
        filled = [f.prefix for f in member_forms if OtherMemberForm.is_filled(posted, f.prefix)]
        prefixes = ["head", *filled]
        item = {
            "id": request.POST.get("offline_id") or str(uuid.uuid4()),
            "kind": "household",
            "campaign": campaign.pk,
            "community": request.POST.get("community"),
            "fields": [f for f in fields if not MEMBER_FIELD.match(f[0])],
            "members": [
                [[k[len(p) + 1 :], v] for k, v in fields if k.startswith(f"{p}-")] for p in prefixes
            ],
        }
        result = services_sync.sync_batch(user=request.user, items=[item])[0]
        if result.status == services_sync.SAVED:
            messages.success(request, result.message)
            return redirect("targeting:worklist", pk=campaign.pk)
    return render(
        request,
        "targeting/household_new.html",
        {
            "campaign": campaign,
            "communities": communities,
            "form": household_form,
            "head_form": head_form,
            "member_forms": member_forms,
            "result": result,
        },
    )
