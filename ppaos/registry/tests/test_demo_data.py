import pytest
from django.core.management import call_command

from ppaos.accounts.models import Role, User
from ppaos.areas.models import Community
from ppaos.registry import national_id
from ppaos.registry.models import Household, Membership, Person


def _snapshot():
    """The seeded data: the plaintext ID, its hash and the person (ciphertexts differ by IV)."""
    return [
        (person.national_id, person.national_id_hash, person.first_name, person.birth_date)
        for person in Person.objects.order_by("id")
    ]


@pytest.mark.django_db
def test_demo_data_builds_the_pilot(geography):
    call_command("demo-data", "--seed", "2566")
    assert Community.objects.filter(is_demo=True).count() == 30
    districts = set(Community.objects.values_list("subdistrict__district_id", flat=True))
    assert districts == {"1008", "1009", "1043"}
    assert Household.objects.count() == 658
    people = Person.objects.count()
    assert 1_900 <= people <= 2_300
    ids = [p.national_id for p in Person.objects.all() if p.national_id]
    assert all(national_id.is_valid(i) for i in ids)
    assert len(ids) == len(set(ids))
    assert Person.objects.filter(is_undocumented=True).count() > 0
    assert Membership.objects.filter(end_date__isnull=False).exists()  # some moved
    heads = Membership.objects.filter(relation="head", end_date__isnull=True).count()
    assert heads == 658
    roles = set(User.objects.values_list("role_assignments__role", flat=True))
    assert roles == set(Role.values)


@pytest.mark.django_db
def test_demo_data_is_deterministic_and_rerunnable(geography):
    call_command("demo-data", "--seed", "7", "--households", "120", "--no-users")
    first = _snapshot()
    call_command("demo-data", "--seed", "7", "--households", "120", "--no-users")
    assert first and _snapshot() == first
    assert Household.objects.count() == 120


@pytest.mark.django_db
def test_demo_data_never_touches_real_rows(households):
    call_command("demo-data", "--seed", "1", "--households", "50", "--no-users")
    for household in households.values():
        assert Household.objects.filter(pk=household.pk, is_demo=False).exists()


@pytest.mark.django_db
def test_scaled_demo_spreads_over_bangkok(geography):
    call_command("demo-data", "--seed", "3", "--households", "2000", "--no-users")
    districts = set(
        Community.objects.filter(is_demo=True).values_list("subdistrict__district_id", flat=True)
    )
    assert len(districts) > 25
