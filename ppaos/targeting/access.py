"""Permission-checked fetchers for targeting: out of scope is 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from ppaos.accounts.scope import EDIT_PEOPLE, MANAGE_TARGETING, scope_for
from ppaos.registry.access import household_for_user
from ppaos.targeting.models import Campaign, CampaignAssignment, Job, Visit
from ppaos.targeting.selectors import campaign_list, review_queue


def campaign_for_manager(*, user, pk: int) -> Campaign:
    if not scope_for(user).can(MANAGE_TARGETING):
        raise Http404("Not a manager")
    return get_object_or_404(campaign_list(user=user), pk=pk)


def campaign_for_volunteer(*, user, pk: int) -> Campaign:
    assigned = CampaignAssignment.objects.filter(volunteer=user).values("campaign")
    return get_object_or_404(Campaign.objects.filter(pk__in=assigned), pk=pk)


def household_for_visit(*, user, campaign: Campaign, pk: int):
    """A household the volunteer may visit: editable and in a community assigned to them."""
    household = household_for_user(user=user, pk=pk, for_edit=True)
    assigned = CampaignAssignment.objects.filter(
        campaign=campaign, volunteer=user, community=household.community
    ).exists()
    if not assigned and not scope_for(user).area(EDIT_PEOPLE).covers_whole(
        household.community.subdistrict_id
    ):
        raise Http404("Household not assigned")
    return household


def job_for_user(*, user, pk: int) -> Job:
    return get_object_or_404(Job.objects.filter(created_by=user), pk=pk)


def candidate_for_user(*, user, pk: int):
    return get_object_or_404(review_queue(user=user), pk=pk)


def visit_for_manager(*, user, pk: int) -> Visit:
    area = scope_for(user).area(MANAGE_TARGETING)
    if area.is_empty:
        raise Http404("Not a manager")
    return get_object_or_404(Visit.objects.filter(area.q("household__community")), pk=pk)
