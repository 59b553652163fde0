import pytest

from ppaos.accounts.models import Role
from ppaos.accounts.scope import EDIT_PEOPLE, VIEW_COUNTS, VIEW_PEOPLE, AreaSet, scope_for
from ppaos.accounts.services import role_assign, user_create
from ppaos.registry.selectors import household_list


def test_area_set_touches_contained_and_containing_areas():
    area = AreaSet(prefixes=frozenset({"1008"}))
    assert area.touches("10")
    assert area.touches("1008")
    assert area.touches("100801")
    assert not area.touches("1009")
    assert not AreaSet().touches("10")


@pytest.mark.django_db
def test_volunteer_with_two_communities_sees_both(communities, households, volunteer_a):
    role_assign(user=volunteer_a, role=Role.VOLUNTEER, community=communities["B"])
    visible = set(household_list(user=volunteer_a).values_list("pk", flat=True))
    assert visible == {households["A"].pk, households["B"].pk}


@pytest.mark.django_db
def test_user_without_roles_sees_nothing(households):
    nobody = user_create(username="nobody", password="x-long-password-1")
    assert household_list(user=nobody).count() == 0
    assert not scope_for(nobody).can(VIEW_COUNTS)


@pytest.mark.django_db
def test_superuser_sees_everything(households):
    root = user_create(username="root", password="x-long-password-1", is_superuser=True)
    assert household_list(user=root).count() == 3


@pytest.mark.django_db
def test_capabilities_by_role(volunteer_a, researcher, leader_a):
    assert scope_for(volunteer_a).can(EDIT_PEOPLE)
    assert scope_for(leader_a).can(VIEW_PEOPLE) and not scope_for(leader_a).can(EDIT_PEOPLE)
    assert scope_for(researcher).can(VIEW_COUNTS) and not scope_for(researcher).can(VIEW_PEOPLE)


@pytest.mark.django_db
def test_a_role_assignment_needs_exactly_one_scope(communities, volunteer_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        role_assign(user=volunteer_a, role=Role.VOLUNTEER)
    with pytest.raises(ValidationError):
        role_assign(
            user=volunteer_a,
            role=Role.VOLUNTEER,
            community=communities["A"],
            district=communities["A"].subdistrict.district,
        )
