from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ppaos.accounts.scope import EDIT_PEOPLE, scope_for
from ppaos.areas.models import Community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.forms import add_service_errors, stale_edit_conflicts
from ppaos.registry import services
from ppaos.registry.access import current_membership_for_user, household_for_user, person_for_user
from ppaos.registry.forms import HouseholdForm, LeaveForm, NewMemberForm, PersonForm
from ppaos.registry.models import Relation
from ppaos.registry.selectors import household_members


def _editable_community(user, pk: int) -> Community:
    community = get_object_or_404(Community.objects.select_related("subdistrict"), pk=pk)
    if not scope_for(user).area(EDIT_PEOPLE).contains_community(community):
        raise Http404("Community outside scope")
    return community


@login_required
def household_detail(request, pk: int):
    household = household_for_user(user=request.user, pk=pk)
    audit_record(actor=request.user, action=Action.VIEW, obj=household)
    show_past = request.GET.get("history") == "1"
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": household_members(household=household, include_past=show_past),
            "show_past": show_past,
            "can_edit": scope_for(request.user)
            .area(EDIT_PEOPLE)
            .contains_community(household.community),
        },
    )


@login_required
def household_create(request, community_pk: int):
    community = _editable_community(request.user, community_pk)
    form = HouseholdForm(
        request.POST or None, initial={"postal_code": community.subdistrict.postal_code}
    )
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                actor=request.user, community=community, data=form.cleaned_data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Household %(code)s added.") % {"code": household.code})
            return redirect("registry:member_add", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "community": community})


@login_required
def household_edit(request, pk: int):
    household = household_for_user(user=request.user, pk=pk, for_edit=True)
    form = HouseholdForm(
        request.POST or None, instance=household, initial={"version": household.version}
    )
    conflicts = []
    if request.method == "POST" and form.is_valid():
        # is_valid() wrote the input onto `household`; the service needs the stored row.
        household = household_for_user(user=request.user, pk=pk, for_edit=True)
        try:
            services.household_update(
                actor=request.user,
                household=household,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.cleaned_data,
            )
        except services.StaleEditError as e:
            conflicts = stale_edit_conflicts(form, e, form.Meta.fields)
            household = e.current
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Household saved."))
            return redirect("registry:household_detail", pk=pk)
    return render(
        request,
        "registry/household_form.html",
        {
            "form": form,
            "household": household,
            "community": household.community,
            "conflicts": conflicts,
        },
    )


@login_required
def member_add(request, pk: int):
    household = household_for_user(user=request.user, pk=pk, for_edit=True)
    has_head = household.memberships.filter(relation=Relation.HEAD, end_date__isnull=True).exists()
    form = NewMemberForm(
        request.POST or None, initial={"relation": Relation.CHILD if has_head else Relation.HEAD}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        relation = data.pop("relation")
        try:
            person = services.person_add_to_household(
                actor=request.user, household=household, data=data, relation=relation
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.full_name})
            if "add_another" in request.POST:
                return redirect("registry:member_add", pk=household.pk)
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/member_form.html", {"form": form, "household": household})


@login_required
def person_edit(request, pk: int):
    person = person_for_user(user=request.user, pk=pk, for_edit=True)
    household = person.current[0].household
    form = PersonForm(request.POST or None, instance=person, initial={"version": person.version})
    conflicts = []
    if request.method == "GET":
        audit_record(actor=request.user, action=Action.VIEW, obj=person)
    if request.method == "POST" and form.is_valid():
        # is_valid() wrote the input onto `person`; the service needs the stored row.
        person = person_for_user(user=request.user, pk=pk, for_edit=True)
        try:
            services.person_update(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.cleaned_data,
            )
        except services.StaleEditError as e:
            conflicts = stale_edit_conflicts(form, e, form.Meta.fields)
            person = e.current
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": person.full_name})
            return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/member_form.html",
        {
            "form": form,
            "household": household,
            "person": person,
            "conflicts": conflicts,
        },
    )


@login_required
def member_leave(request, pk: int):
    membership = current_membership_for_user(user=request.user, person_pk=pk, for_edit=True)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = dict(form.fields["reason"].choices)[form.cleaned_data["reason"]]
        try:
            services.membership_end(
                actor=request.user,
                membership=membership,
                end_date=form.cleaned_data["end_date"],
                reason=str(reason),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The stay has been closed; the history is kept."))
            return redirect("registry:household_detail", pk=membership.household_id)
    return render(request, "registry/leave_form.html", {"form": form, "membership": membership})
