"""Programmes, enrolments, income records and the social-mobility pages (thin views)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import EDIT_PEOPLE, MANAGE_TARGETING, VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.accounts.selectors import countable_community
from ppaos.areas.models import Community, District, Province
from ppaos.audit.models import Action
from ppaos.audit.services import audit_export, audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.lib.i18n import Deferred
from ppaos.lib.versioning import StaleEditError
from ppaos.livelihoods import selectors, services
from ppaos.livelihoods.access import (
    enrolment_for_manager,
    enrolment_for_user,
    income_for_user,
    partner_for_manager,
    programme_for_manager,
    programme_for_user,
    stage_for_manager,
)
from ppaos.livelihoods.forms import (
    EnrolForm,
    EnrolmentEditForm,
    IncomeEditForm,
    IncomeForm,
    PartnerForm,
    ProgrammeForm,
    RoundsForm,
    StageForm,
)
from ppaos.registry.selectors import person_list

# Programmes ----------------------------------------------------------------------------------


@login_required
def programme_list(request):
    require_capability(request.user, VIEW_COUNTS)
    programmes = list(selectors.programme_list(user=request.user))
    for programme in programmes:
        programme.summary = selectors.programme_summary(user=request.user, programme=programme)
    return render(
        request,
        "livelihoods/programmes.html",
        {"programmes": programmes, "can_manage": selectors.may_manage(request.user)},
    )


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
                description=Deferred(
                    gettext_noop("enrolled members of programme %(programme)s"),
                    programme=programme.code,
                ),
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
            "can_manage": selectors.managed_programme_list(user=request.user)
            .filter(pk=programme.pk)
            .exists(),
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
        audit_record(
            actor=request.user,
            action=Action.VIEW,
            obj=enrolment,
            label=f"{enrolment.person.full_name} · {enrolment.programme.code}",
        )
    return render(
        request,
        "livelihoods/enrolment.html",
        {
            "enrolment": enrolment,
            "incomes": selectors.enrolment_incomes(enrolment=enrolment),
            "form": form,
            "can_edit": can_edit,
            "can_manage": scope_for(request.user)
            .area(MANAGE_TARGETING)
            .contains_community(enrolment.household.community),
        },
    )


@login_required
def income_edit(request, pk: int):
    record = income_for_user(user=request.user, pk=pk, for_edit=True)
    form = IncomeEditForm(request.POST or None, initial=_income_initial(record))
    if request.method == "POST" and form.is_valid():
        try:
            services.income_update(
                actor=request.user,
                record=record,
                expected_version=form.cleaned_data["version"],
                data=form.cleaned_data,
            )
        except StaleEditError as e:
            form.merge_stale(e, initial=_income_initial(e.current))
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Income saved."))
            return redirect("livelihoods:enrolment", pk=record.enrolment_id)
    return render(
        request,
        "livelihoods/income_form.html",
        {"record": record, "form": form},
    )


def _income_initial(record) -> dict:
    return {
        "monthly_income": record.monthly_income,
        "source": record.source,
        "version": record.version,
    }


# Managing programmes: coordinators and district officers ----------------------------------------


def _manage_page(request, form, *, title, back):
    """The one form page for programmes, stages, partners and enrolment changes."""
    back_url, back_label = back
    return render(
        request,
        "livelihoods/manage_form.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "back_label": back_label,
        },
    )


@login_required
def programme_create(request):
    require_capability(request.user, MANAGE_TARGETING)
    communities = selectors.manageable_communities(user=request.user)
    form = ProgrammeForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.programme_create(
                actor=request.user,
                code=data["code"],
                name_th=data["name_th"],
                name_en=data["name_en"],
                kind=data["kind"],
                description=data["description"],
                start_date=data["start_date"],
                communities=data["communities"],
                within=scope_for(request.user).area(MANAGE_TARGETING),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Programme created. Add its stages and partners."))
            return redirect("livelihoods:programme", pk=programme.pk)
    back = (reverse("livelihoods:programmes"), _("Livelihood programmes"))
    return _manage_page(request, form, title=_("New programme"), back=back)


@login_required
def programme_edit(request, pk: int):
    programme = programme_for_manager(user=request.user, pk=pk)
    communities = selectors.manageable_communities(user=request.user)
    initial = {name: getattr(programme, name) for name in services.PROGRAMME_FIELDS}
    initial["communities"] = list(programme.communities.filter(pk__in=communities))
    form = ProgrammeForm(
        request.POST or None, initial=initial, communities=communities, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                actor=request.user,
                programme=programme,
                data=form.cleaned_data,
                communities=form.cleaned_data["communities"],
                within=scope_for(request.user).area(MANAGE_TARGETING),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("livelihoods:programme", pk=programme.pk)
    programme.refresh_from_db()
    back = (reverse("livelihoods:programme", args=[programme.pk]), programme.name_th)
    return _manage_page(request, form, title=_("Edit programme"), back=back)


@login_required
def stage_add(request, pk: int):
    programme = programme_for_manager(user=request.user, pk=pk)
    form = StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_add(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Stage added."))
            return redirect("livelihoods:programme", pk=programme.pk)
    back = (reverse("livelihoods:programme", args=[programme.pk]), programme.name_th)
    return _manage_page(request, form, title=_("Add a stage"), back=back)


@login_required
def stage_edit(request, pk: int):
    stage = stage_for_manager(user=request.user, pk=pk)
    initial = {"name_th": stage.name_th, "name_en": stage.name_en, "position": stage.position}
    form = StageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "position": form.cleaned_data["position"] or stage.position}
        try:
            services.stage_update(actor=request.user, stage=stage, **data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Stage saved."))
            return redirect("livelihoods:programme", pk=stage.programme_id)
    back = (reverse("livelihoods:programme", args=[stage.programme_id]), stage.programme.name_th)
    return _manage_page(request, form, title=_("Edit stage"), back=back)


@login_required
def partner_add(request, pk: int):
    programme = programme_for_manager(user=request.user, pk=pk)
    form = PartnerForm(request.POST or None, stages=programme.stages.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_add(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Partner added."))
            return redirect("livelihoods:programme", pk=programme.pk)
    back = (reverse("livelihoods:programme", args=[programme.pk]), programme.name_th)
    return _manage_page(request, form, title=_("Add a partner"), back=back)


@login_required
def partner_edit(request, pk: int):
    partner = partner_for_manager(user=request.user, pk=pk)
    initial = {name: getattr(partner, name) for name in services.PARTNER_FIELDS}
    form = PartnerForm(request.POST or None, initial=initial, stages=partner.programme.stages.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(actor=request.user, partner=partner, data=form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Partner saved."))
            return redirect("livelihoods:programme", pk=partner.programme_id)
    programme = partner.programme
    back = (reverse("livelihoods:programme", args=[programme.pk]), programme.name_th)
    return _manage_page(request, form, title=_("Edit partner"), back=back)


@login_required
def enrolment_edit(request, pk: int):
    enrolment = enrolment_for_manager(user=request.user, pk=pk)
    stages = enrolment.programme.stages.all()
    form = EnrolmentEditForm(
        request.POST or None, initial=_enrolment_initial(enrolment), stages=stages
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enrolment_update(
                actor=request.user,
                enrolment=enrolment,
                expected_version=data["version"],
                stage=data["stage"],
                status=data["status"],
                end_date=data["end_date"],
            )
        except StaleEditError as e:
            form.merge_stale(e, initial=_enrolment_initial(e.current))
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Enrolment saved."))
            return redirect("livelihoods:enrolment", pk=enrolment.pk)
    back = (reverse("livelihoods:enrolment", args=[enrolment.pk]), enrolment.person.full_name)
    title = _("Stage and status") + f": {enrolment.programme.name_th}"
    return _manage_page(request, form, title=title, back=back)


def _enrolment_initial(enrolment) -> dict:
    return {
        "stage": enrolment.stage,
        "status": enrolment.status,
        "end_date": enrolment.end_date,
        "version": enrolment.version,
    }


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
    code = scope_for(request.user).home_province()
    return redirect("livelihoods:mobility_province", code=code)


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
