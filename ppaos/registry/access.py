"""Permission-checked fetchers. Out of scope looks exactly like not found: 404."""

from django.shortcuts import get_object_or_404

from ppaos.accounts.scope import EDIT_PEOPLE, VIEW_PEOPLE
from ppaos.registry.models import Household, Membership, Person
from ppaos.registry.selectors import household_list, person_list


def household_for_user(*, user, pk: int, for_edit: bool = False) -> Household:
    capability = EDIT_PEOPLE if for_edit else VIEW_PEOPLE
    return get_object_or_404(household_list(user=user, capability=capability), pk=pk)


def person_for_user(*, user, pk: int, for_edit: bool = False) -> Person:
    capability = EDIT_PEOPLE if for_edit else VIEW_PEOPLE
    return get_object_or_404(person_list(user=user, capability=capability), pk=pk)


def current_membership_for_user(*, user, person_pk: int, for_edit: bool = False) -> Membership:
    person = person_for_user(user=user, pk=person_pk, for_edit=for_edit)
    return person.current[0]
