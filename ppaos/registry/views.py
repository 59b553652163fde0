from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import EDIT_PEOPLE, REVIEW_DUPLICATE_IDS, VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.lib.i18n import Deferred
from ppaos.lib.thaidate import age_on
from ppaos.registry import search, services
from ppaos.registry.access import current_membership_for_user, household_for_user, person_for_user
from ppaos.registry.forms import HouseholdForm, LeaveForm, NewMemberForm, PersonForm
from ppaos.registry.models import DuplicateIdResolution, Relation
from ppaos.registry.selectors import duplicate_flags, household_members


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
            form.merge_stale(e)
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
            form.merge_stale(e)
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


@login_required
def duplicate_id_list(request):
    """The review queue of national IDs entered that another record already holds; a POST
    (`flag`, `resolution`) decides one. Only flags whose both records the reviewer can see."""
    if not scope_for(request.user).can(REVIEW_DUPLICATE_IDS):
        raise Http404("Reviewers only")
    if request.method == "POST":
        flag_pk = request.POST.get("flag", "")
        flag = get_object_or_404(
            duplicate_flags(user=request.user), pk=int(flag_pk) if flag_pk.isdigit() else 0
        )
        try:
            services.duplicate_id_resolve(
                actor=request.user, flag=flag, resolution=request.POST.get("resolution", "")
            )
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Duplicate national ID reviewed."))
        return redirect("registry:duplicate_ids")
    return render(
        request,
        "registry/duplicate_ids.html",
        {
            "flags": list(duplicate_flags(user=request.user)),
            "resolutions": DuplicateIdResolution.choices,
        },
    )


@login_required
def search_page(request):
    """People and households the user may see, by name, national ID, phone, household code or
    house number (registry.search). 404 for roles that do not see people."""
    require_capability(request.user, VIEW_PEOPLE)
    query = request.GET.get("q", "").strip()[: search.MAX_QUERY]
    context = {"query": query}
    if query:
        people = Paginator(
            search.person_search(user=request.user, query=query), settings.PAGE_SIZE
        ).get_page(request.GET.get("page"))
        households = Paginator(
            search.household_search(user=request.user, query=query), settings.PAGE_SIZE
        ).get_page(request.GET.get("hpage"))
        today = timezone.localdate()
        for person in people:
            membership = person.current[0] if person.current else None
            person.search_household = membership.household if membership else None
            person.search_age = age_on(person.birth_date, today) if person.birth_date else None
        search.search_audit(
            actor=request.user,
            query=query,
            where=Deferred(gettext_noop("search page")),
            people=people.paginator.count,
            households=households.paginator.count,
        )
        context.update(people=people, households=households)
    return render(request, "registry/search.html", context)
