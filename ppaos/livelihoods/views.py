"""Programmes, enrolments, income records and the social-mobility pages (thin views)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import EDIT_PEOPLE, VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community, District, Province
from ppaos.areas.selectors import countable_community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_export, audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.livelihoods import selectors, services
from ppaos.livelihoods.access import enrolment_for_user, income_for_user, programme_for_user
from ppaos.livelihoods.forms import EnrolForm, IncomeEditForm, IncomeForm, RoundsForm
from ppaos.registry.selectors import person_list
from ppaos.registry.services import StaleEditError

# Programmes ----------------------------------------------------------------------------------


@login_required
def programme_list(request):
    require_capability(request.user, VIEW_COUNTS)
    programmes = list(selectors.programme_list(user=request.user))
    for programme in programmes:
        programme.summary = selectors.programme_summary(user=request.user, programme=programme)
    return render(request, "livelihoods/programmes.html", {"programmes": programmes})


@login_required
def programme_detail(request, pk: int):
    programme = programme_for_user(user=request.user, pk=pk)
    scope = scope_for(request.user)
    enrolments = None
    if scope.can(VIEW_PEOPLE):
        enrolments = list(selectors.programme_enrolments(user=request.user, programme=programme))
        if enrolments:
            audit_export(
                actor=request.user,
                description=f"enrolled members of programme {programme.code}",
                row_count=len(enrolments),
            )
    return render(
        request,
        "livelihoods/programme.html",
        {
            "programme": programme,
            "summary": selectors.programme_summary(user=request.user, programme=programme),
            "partners": programme.partners.select_related("stage"),
            "communities": programme.communities.filter(
                scope.area(VIEW_COUNTS).community_q()
            ).order_by("name_th"),
            "enrolments": enrolments,
            "can_enrol": scope.can(EDIT_PEOPLE),
        },
    )


@login_required
def enrol(request, pk: int):
    require_capability(request.user, EDIT_PEOPLE)
    programme = programme_for_user(user=request.user, pk=pk)
    people = (
        person_list(user=request.user, capability=EDIT_PEOPLE)
        .filter(
            memberships__end_date__isnull=True,
            memberships__household__community__in=programme.communities.all(),
        )
        .exclude(enrolments__programme=programme, enrolments__status="active")
        .order_by("first_name", "last_name")
    )
    form = EnrolForm(request.POST or None, people=people, stages=programme.stages.all())
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrolment_create(
                actor=request.user,
                programme=programme,
                person=form.cleaned_data["person"],
                stage=form.cleaned_data["stage"],
                start_date=form.cleaned_data["start_date"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Member enrolled."))
            return redirect("livelihoods:enrolment", pk=enrolment.pk)
    return render(request, "livelihoods/enrol.html", {"programme": programme, "form": form})


# Enrolments and income -------------------------------------------------------------------------


@login_required
def enrolment_detail(request, pk: int):
    enrolment = enrolment_for_user(user=request.user, pk=pk)
    can_edit = (
        scope_for(request.user).area(EDIT_PEOPLE).contains_community(enrolment.household.community)
    )
    form = IncomeForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404("Read only")
        if form.is_valid():
            try:
                services.income_record(
                    actor=request.user, enrolment=enrolment, data=form.cleaned_data
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Income recorded."))
                return redirect("livelihoods:enrolment", pk=pk)
    else:
        audit_record(actor=request.user, action=Action.VIEW, obj=enrolment)
    return render(
        request,
        "livelihoods/enrolment.html",
        {
            "enrolment": enrolment,
            "incomes": selectors.enrolment_incomes(enrolment=enrolment),
            "form": form,
            "can_edit": can_edit,
        },
    )


@login_required
def income_edit(request, pk: int):
    record = income_for_user(user=request.user, pk=pk, for_edit=True)
    initial = {
        "monthly_income": record.monthly_income,
        "source": record.source,
        "version": record.version,
    }
    form = IncomeEditForm(request.POST or None, initial=initial)
    conflicts = []
    if request.method == "POST" and form.is_valid():
        try:
            services.income_update(
                actor=request.user,
                record=record,
                expected_version=form.cleaned_data["version"],
                data=form.cleaned_data,
            )
        except StaleEditError as e:
            current = e.current
            for name in ("monthly_income", "source"):
                mine, theirs = form.cleaned_data[name], getattr(current, name)
                if mine != theirs:
                    conflicts.append((form.fields[name].label, theirs, mine))
            data = form.data.copy()
            data["version"] = current.version
            form.data = data
            form.add_error(
                None,
                _(
                    "Not saved: someone else saved this record after you opened it. Their "
                    "values are shown below; check them, then save again to keep yours."
                ),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Income saved."))
            return redirect("livelihoods:enrolment", pk=record.enrolment_id)
    return render(
        request,
        "livelihoods/income_form.html",
        {"record": record, "form": form, "conflicts": conflicts},
    )


# Social mobility ---------------------------------------------------------------------------------


def _rounds_form(request) -> RoundsForm:
    form = RoundsForm(request.GET or None, rounds=selectors.assessed_rounds())
    form.is_valid()
    return form


def _mobility_page(request, *, title, crumbs, result, links=None, extra=None):
    form = _rounds_form(request)
    return render(
        request,
        "livelihoods/mobility.html",
        {
            "title": title,
            "crumbs": crumbs,
            "m": result,
            "form": form,
            "links": links or [],
            **(extra or {}),
        },
    )


def _asked(request) -> dict:
    return {"from_round": request.GET.get("from_round"), "to_round": request.GET.get("to_round")}


def _touchable(request, code: str) -> None:
    require_capability(request.user, VIEW_COUNTS)
    if not scope_for(request.user).area(VIEW_COUNTS).touches(code):
        raise Http404("Area outside scope")


@login_required
def mobility_home(request):
    return redirect("livelihoods:mobility_province", code=settings.HOME_PROVINCE)


@login_required
def mobility_province(request, code: str):
    province = get_object_or_404(Province, code=code)
    _touchable(request, province.code)
    area = scope_for(request.user).area(VIEW_COUNTS)
    links = [
        ("livelihoods:mobility_district", d.code, d.name)
        for d in province.districts.order_by("code")
        if area.touches(d.code)
    ]
    result = selectors.area_mobility(user=request.user, area_code=province.code, **_asked(request))
    return _mobility_page(request, title=province.name, crumbs=[], result=result, links=links)


@login_required
def mobility_district(request, code: str):
    district = get_object_or_404(District.objects.select_related("province"), code=code)
    _touchable(request, district.code)
    area = scope_for(request.user).area(VIEW_COUNTS)
    links = [
        ("livelihoods:mobility_community", c.pk, c.name)
        for c in Community.objects.filter(
            area.community_q(), subdistrict__district=district
        ).order_by("name_th")
    ]
    result = selectors.area_mobility(user=request.user, area_code=district.code, **_asked(request))
    crumbs = [("livelihoods:mobility_province", district.province.code, district.province.name)]
    return _mobility_page(request, title=district.name, crumbs=crumbs, result=result, links=links)


@login_required
def mobility_community(request, pk: int):
    require_capability(request.user, VIEW_COUNTS)
    community = get_object_or_404(countable_community(user=request.user, pk=pk))
    district = community.subdistrict.district
    result = selectors.area_mobility(user=request.user, community=community, **_asked(request))
    crumbs = [
        ("livelihoods:mobility_province", district.province.code, district.province.name),
        ("livelihoods:mobility_district", district.code, district.name),
    ]
    return _mobility_page(request, title=community.name, crumbs=crumbs, result=result)


@login_required
def programme_mobility(request, pk: int):
    programme = programme_for_user(user=request.user, pk=pk)
    result = selectors.programme_mobility(user=request.user, programme=programme, **_asked(request))
    return _mobility_page(
        request,
        title=programme.name_th,
        crumbs=[("livelihoods:programme", programme.pk, programme.name_th)],
        result=result,
        extra={"programme": programme},
    )
