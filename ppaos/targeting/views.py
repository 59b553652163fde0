from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import IMPORT_TARGETS, MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community
from ppaos.assessment.selectors import indicator_set_active
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.lib.i18n import Deferred
from ppaos.registry import national_id
from ppaos.registry.selectors import household_members
from ppaos.targeting import access, selectors, services, tasks
from ppaos.targeting.forms import (
    PURPOSE,
    WORKLIST_STATUS_LABELS,
    AssignForm,
    CampaignForm,
    ImportForm,
    VisitForm,
    WorklistFilterForm,
)
from ppaos.targeting.models import CampaignAssignment, Job, TargetList, Visit
from ppaos.targeting.records import record_facts


@login_required
def home(request):
    """Managers: lists, imports, campaigns. Volunteers: their campaigns."""
    scope = scope_for(request.user)
    if scope.can(MANAGE_TARGETING):
        return render(
            request,
            "targeting/home.html",
            {
                "campaigns": selectors.campaign_list(user=request.user),
                "lists": TargetList.objects.annotate(n=Count("records")),
                "jobs": Job.objects.filter(created_by=request.user)[:10],
                "pending_reviews": selectors.review_queue(user=request.user).count(),
            },
        )
    assigned = CampaignAssignment.objects.filter(volunteer=request.user, campaign__is_open=True)
    campaigns = {a.campaign for a in assigned.select_related("campaign")}
    return render(request, "targeting/volunteer_home.html", {"campaigns": campaigns})


@login_required
def import_new(request):
    require_capability(request.user, IMPORT_TARGETS)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = services.job_create(
            kind=Job.Kind.IMPORT,
            actor=request.user,
            upload=data["file"],
            params={
                "source": data["source"],
                "year_be": data["year_be"],
                "mapping": data["mapping"],
                "name": data["file"].name,
            },
        )
        tasks.run_import_job.enqueue(job.pk)
        return redirect("targeting:job", pk=job.pk)
    return render(request, "targeting/import.html", {"form": form})


@login_required
def job_detail(request, pk: int):
    job = access.job_for_user(user=request.user, pk=pk)
    template = "targeting/_job.html" if request.htmx else "targeting/job.html"
    return render(request, template, {"job": job})


@login_required
def target_list_detail(request, pk: int):
    require_capability(request.user, MANAGE_TARGETING)
    target_list = get_object_or_404(TargetList, pk=pk)
    records = selectors.target_records_in_scope(user=request.user).filter(target_list=target_list)
    by_status = dict(records.values_list("link_status").annotate(n=Count("id")))
    first = list(records.order_by("line_no")[:100])
    if first:
        audit_record(
            actor=request.user,
            action=Action.VIEW,
            obj=target_list,
            label=Deferred(
                gettext_noop("%(list)s · %(count)s records"),
                list=str(target_list),
                count=len(first),
            ),
        )
    return render(
        request,
        "targeting/list.html",
        {
            "target_list": target_list,
            "by_status": by_status,
            "total": sum(by_status.values()),
            "records": first,
        },
    )


@login_required
def target_record_detail(request, pk: int):
    """One record with its TPMAP / จปฐ. columns and every column of its source row."""
    require_capability(request.user, MANAGE_TARGETING)
    record = get_object_or_404(selectors.target_records_in_scope(user=request.user), pk=pk)
    audit_record(actor=request.user, action=Action.VIEW, obj=record)
    current = (
        record.person.memberships.filter(end_date__isnull=True).select_related("household").first()
        if record.person_id
        else None
    )
    household = None
    if current and scope_for(request.user).area(VIEW_PEOPLE).contains_community(
        current.household.community
    ):
        household = current.household
    return render(
        request,
        "targeting/record.html",
        {
            "record": record,
            "facts": record_facts(record),
            "masked_id": national_id.masked(record.national_id or ""),
            "household": household,
        },
    )


@login_required
@require_POST
def linkage_run(request, pk: int):
    require_capability(request.user, IMPORT_TARGETS)
    target_list = get_object_or_404(TargetList, pk=pk)
    job = services.job_create(
        kind=Job.Kind.LINKAGE, actor=request.user, params={"target_list": target_list.pk}
    )
    tasks.run_linkage_job.enqueue(job.pk)
    return redirect("targeting:job", pk=job.pk)


@login_required
def review_list(request):
    require_capability(request.user, MANAGE_TARGETING)
    queue = selectors.review_queue(user=request.user)[:100]
    return render(request, "targeting/review_list.html", {"queue": queue})


@login_required
def review_pair(request, pk: int):
    candidate = access.candidate_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        services.link_candidate_decide(
            candidate=candidate, actor=request.user, accept=request.POST.get("decision") == "accept"
        )
        following = selectors.review_queue(user=request.user).first()
        if following:
            return redirect("targeting:review_pair", pk=following.pk)
        messages.success(request, _("The review queue is empty."))
        return redirect("targeting:review_list")
    person = candidate.person
    current = person.memberships.filter(end_date__isnull=True).select_related("household").first()
    return render(
        request,
        "targeting/review_pair.html",
        {
            "candidate": candidate,
            "record": candidate.record,
            "person": person,
            "household": current.household if current else None,
        },
    )


@login_required
def campaign_new(request):
    require_capability(request.user, MANAGE_TARGETING)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_open(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            return redirect("targeting:campaign", pk=campaign.pk)
    return render(request, "targeting/campaign_new.html", {"form": form})


@login_required
def campaign_detail(request, pk: int):
    campaign = access.campaign_for_manager(user=request.user, pk=pk)
    area = scope_for(request.user).area(MANAGE_TARGETING)
    communities = Community.objects.filter(area.community_q()).order_by("code")
    form = AssignForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_assign(campaign=campaign, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Community assigned."))
            return redirect("targeting:campaign", pk=pk)
    assignments = campaign.assignments.filter(area.q("community")).select_related(
        "community", "volunteer"
    )
    conflicts = Visit.objects.filter(
        area.q("household__community"), campaign=campaign, status=Visit.Status.CONFLICT
    ).select_related("household")
    return render(
        request,
        "targeting/campaign.html",
        {
            "campaign": campaign,
            "form": form,
            "assignments": assignments,
            "progress": selectors.campaign_progress(user=request.user, campaign=campaign),
            "conflicts": conflicts,
        },
    )


@login_required
def campaign_report(request, pk: int):
    campaign = access.campaign_for_manager(user=request.user, pk=pk)
    by = "community" if request.GET.get("by") == "community" else "district"
    return render(
        request,
        "targeting/report.html",
        {
            "campaign": campaign,
            "by": by,
            "rows": selectors.error_report(user=request.user, campaign=campaign, by=by),
            "estimate": selectors.exclusion_estimate(user=request.user, campaign=campaign),
            "planned": selectors.sample_plan(campaign=campaign),
            "progress": selectors.campaign_progress(user=request.user, campaign=campaign),
        },
    )


@login_required
def worklist(request, pk: int):
    """The volunteer's households: head, address and status, filtered and sorted on the
    server (a plain GET form; htmx swaps only the results), as a list or a map."""
    campaign = access.campaign_for_volunteer(user=request.user, pk=pk)
    form = WorklistFilterForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    sort = chosen.get("sort") or "priority"
    mode = "map" if request.GET.get("view") == "map" else "list"
    work = selectors.worklist_rows(
        user=request.user,
        campaign=campaign,
        text=chosen.get("q", ""),
        status=chosen.get("status", ""),
        sort=sort,
    )
    query = {k: v for k, v in chosen.items() if v and not (k == "sort" and v == "priority")}
    context = {
        "campaign": campaign,
        "form": form,
        "work": work,
        "rows": work.rows,
        "filtered": bool(chosen.get("q") or chosen.get("status")),
        "mode": mode,
        "query": urlencode(query),
        "map": _worklist_map(campaign, work.rows) if mode == "map" else None,
        "communities": CampaignAssignment.objects.filter(
            campaign=campaign, volunteer=request.user
        ).select_related("community"),
    }
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, "targeting/_worklist_results.html", context)
    # Heads' names are personal data: each page load is audited (not each filter keystroke).
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=campaign,
        label=Deferred(
            gettext_noop("worklist (%(shown)s of %(total)s households)"),
            shown=len(work.rows),
            total=work.total,
        ),
    )
    return render(request, "targeting/worklist.html", context)


def _worklist_map(campaign, rows) -> dict:
    """The households that have a location, for worklist_map.js, which sets every value as
    text (never HTML); and how many have none."""
    labels = dict(WORKLIST_STATUS_LABELS)
    points = [
        {
            "lat": float(r.household.latitude),
            "lon": float(r.household.longitude),
            "code": r.household.code,
            "head": r.head_name,
            "address": r.household.address_line(),
            "status": r.status,
            "status_label": str(labels[r.status]),
            "url": reverse("targeting:visit", args=[campaign.pk, r.household.pk]),
        }
        for r in rows
        if r.household.latitude is not None and r.household.longitude is not None
    ]
    return {
        "points": points,
        "unmapped": len(rows) - len(points),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION if settings.MAP_TILE_URL else "",
    }


@login_required
def visit_new(request, pk: int, household_pk: int):
    campaign = access.campaign_for_volunteer(user=request.user, pk=pk)
    household = access.household_for_visit(user=request.user, campaign=campaign, pk=household_pk)
    indicator_set = indicator_set_active()
    sees_people = scope_for(request.user).can(VIEW_PEOPLE)
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        indicator_set=indicator_set,
        household=household if sees_people else None,
        initial={
            "visited_on": timezone.localdate(),
            "consent_purpose": PURPOSE,
            "base_version": household.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record(
                campaign=campaign,
                household=household,
                volunteer=request.user,
                outcome=data["outcome"],
                visited_on=data["visited_on"],
                consent_given=data["consent_given"],
                consent_by=data["consent_by"],
                consent_purpose=data["consent_purpose"],
                notes=data["notes"],
                photo=data.get("photo"),
                base_version=data["base_version"],
                **form.survey(),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Visit to %(code)s saved.") % {"code": household.code})
            return redirect("targeting:worklist", pk=campaign.pk)
    return render(
        request,
        "targeting/visit.html",
        {
            "campaign": campaign,
            "household": household,
            "form": form,
            "members": household_members(household=household) if sees_people else [],
        },
    )


@login_required
@require_POST
def visit_resolve(request, pk: int):
    visit = access.visit_for_manager(user=request.user, pk=pk)
    services.visit_resolve_conflict(
        visit=visit, actor=request.user, keep=request.POST.get("keep") == "1"
    )
    messages.success(request, _("Conflict resolved."))
    return redirect("targeting:campaign", pk=visit.campaign_id)
