"""Permission-checked fetchers for referrals and plans. Out of scope is 404, like not found.

Two sides act on a referral: the city (district officers and coordinators, by area) and the
receiving agency (its agency officers, by organisation). An agency officer reaches only
referrals addressed to their organisation, through a page that shows only what the agency
needs (data minimisation), and no registry page at all."""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from ppaos.accounts.scope import EDIT_PEOPLE, MANAGE_CITY, MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.referrals import selectors
from ppaos.referrals.models import (
    TRANSITIONS,
    HouseholdPlan,
    PlanIntervention,
    Referral,
    Status,
)
from ppaos.registry.access import household_for_user

CITY = "city"
AGENCY = "agency"

# Which side may take each action; from which statuses is `models.TRANSITIONS`.
SIDES: dict[str, set[str]] = {
    "send": {CITY},
    "accept": {AGENCY},
    "reject": {AGENCY},
    "start": {AGENCY},
    "complete": {AGENCY},
    "close": {CITY, AGENCY},
    "transfer": {CITY, AGENCY},
    "comment": {CITY, AGENCY},
}
ACTIONS: dict[str, tuple[set[str], tuple[str, ...]]] = {
    action: (sides, TRANSITIONS[action]) for action, sides in SIDES.items()
}


@dataclass(frozen=True)
class ReferralAccess:
    referral: Referral
    side: str  # CITY (full view) or AGENCY (minimised view)
    can_act: bool  # a city user with the managing capability, or the receiving agency
    # A city user who also answers for the receiving agency (district office staff for the
    # office's own services): the full view, with the agency's actions too.
    answers: bool = False

    @property
    def acting_sides(self) -> set[str]:
        sides = {self.side} if self.can_act else set()
        if self.answers:
            sides.add(AGENCY)
        return sides

    def allowed(self, action: str) -> bool:
        sides, statuses = ACTIONS[action]
        acting = self.acting_sides & sides
        if not acting:
            return False
        if acting == {AGENCY} and self.referral.status == Status.DRAFT:
            return False  # never reached: drafts are not in an agency's inbox
        return self.referral.status in statuses

    def finished(self, action: str) -> bool:
        """The action is one this user could take, but the referral has moved past it (a
        re-posted form, a second click): nothing to do, not an error of access."""
        sides, statuses = ACTIONS[action]
        return bool(self.acting_sides & sides) and self.referral.status not in statuses

    @property
    def actions(self) -> list[str]:
        return [a for a in ACTIONS if self.allowed(a)]


def referral_for_user(*, user, pk: int) -> ReferralAccess:
    """The city side sees a referral of any household it may see (acting on it needs the
    managing capability); an agency officer sees one addressed to their organisation. A city
    user who answers for the receiving organisation (a district office's staff) has both
    sides' actions on the full view."""
    city = selectors.referrals_visible(user=user).filter(pk=pk).first()
    if city is not None:
        managed = (
            scope_for(user).area(MANAGE_TARGETING).contains_community(city.household.community)
        )
        answers = city.organisation_id in selectors.agency_organisation_ids(user)
        if answers and city.status == Status.DRAFT:
            answers = False
        return ReferralAccess(city, CITY, managed, answers)
    agency = selectors.agency_inbox(user=user).filter(pk=pk).first()
    if agency is not None:
        return ReferralAccess(agency, AGENCY, True)
    raise Http404("No such referral")


def require_action(access: ReferralAccess, action: str) -> None:
    if not access.allowed(action):
        raise Http404("Not allowed")


def household_for_referral(*, user, pk: int):
    """A household the user may refer: in their managed area."""
    household = household_for_user(user=user, pk=pk)
    if not scope_for(user).area(MANAGE_TARGETING).contains_community(household.community):
        raise Http404("Household outside the managed area")
    return household


def household_for_plan(*, user, pk: int, for_edit: bool = False):
    """Plans follow the registry's scope: volunteers and officers who may see the household
    read its plan; those who may edit it (volunteers of the community, officers) edit it."""
    return household_for_user(user=user, pk=pk, for_edit=for_edit)


def plan_for_user(*, user, pk: int, for_edit: bool = False) -> HouseholdPlan:
    area = scope_for(user).area(EDIT_PEOPLE if for_edit else VIEW_PEOPLE)
    return get_object_or_404(
        HouseholdPlan.objects.filter(area.q("household__community")).select_related(
            "household__community", "responsible"
        ),
        pk=pk,
    )


def intervention_for_user(*, user, pk: int) -> PlanIntervention:
    area = scope_for(user).area(EDIT_PEOPLE)
    return get_object_or_404(
        PlanIntervention.objects.filter(area.q("plan__household__community")).select_related(
            "plan__household"
        ),
        pk=pk,
    )


def can_edit_catalogue(user) -> bool:
    """Coordinators (and admins) keep the catalogue: services, amounts, rules."""
    return scope_for(user).can(MANAGE_CITY)


def require_catalogue_editor(user) -> None:
    if not can_edit_catalogue(user):
        raise Http404("Not a coordinator")


def require_city(user) -> None:
    if not scope_for(user).can(MANAGE_TARGETING):
        raise Http404("Not a referring role")


def require_people(user) -> None:
    if not scope_for(user).can(VIEW_PEOPLE):
        raise Http404("No registry access")
