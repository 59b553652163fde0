"""The one optimistic-locking write and the three-way merge (ppaos.lib.versioning)."""

import pytest
from django.core.exceptions import ValidationError

from ppaos.lib.versioning import MISSING, StaleEditError, save_versioned, three_way_merge
from ppaos.registry.models import Household

NAMES = ["occupation", "phone", "soi", "road"]
BASE = {"occupation": "ค้าขายอาหาร", "phone": "081", "soi": "1", "road": "ก"}


def test_only_mine_changed_is_applied_only_theirs_is_kept_both_is_a_conflict():
    mine = BASE | {"phone": "082", "soi": "2"}
    theirs = BASE | {"occupation": "ค้าขายอาหารตามสั่ง", "soi": "3"}
    merge = three_way_merge(NAMES, base=BASE, mine=mine, theirs=theirs)
    assert merge.mine == ["phone"]
    assert merge.theirs == ["occupation"]
    assert merge.conflicts == ["soi"]


def test_both_changed_to_the_same_value_is_no_conflict():
    same = BASE | {"road": "ข"}
    merge = three_way_merge(NAMES, base=BASE, mine=same, theirs=same)
    assert (merge.mine, merge.theirs, merge.conflicts) == ([], [], [])


def test_an_unknown_base_makes_every_difference_a_conflict():
    base = {k: v for k, v in BASE.items() if k != "phone"}
    merge = three_way_merge(
        NAMES, base=base, mine=BASE | {"phone": "082"}, theirs=BASE | {"soi": "3"}
    )
    assert merge.conflicts == ["phone"]  # no base for phone: not guessed
    assert merge.theirs == ["soi"]
    assert base.get("phone", MISSING) is MISSING


def test_a_custom_comparison_is_used():
    merge = three_way_merge(
        ["phone"],
        base={"phone": "081"},
        mine={"phone": " 081 "},
        theirs={"phone": "083"},
        same=lambda _name, a, b: str(a).strip() == str(b).strip(),
    )
    assert merge.theirs == ["phone"]


@pytest.mark.django_db
def test_save_versioned_writes_once_and_refuses_a_stale_version(households):
    household = households["A"]
    start = household.version
    new = save_versioned(
        Household, pk=household.pk, expected_version=start, changes={"soi": "ร่วมใจ"}
    )
    assert new == start + 1
    with pytest.raises(StaleEditError) as error:
        save_versioned(Household, pk=household.pk, expected_version=start, changes={"soi": "x"})
    stored = Household.objects.get(pk=household.pk)
    assert (stored.soi, stored.version) == ("ร่วมใจ", start + 1)
    assert error.value.current.version == start + 1 and error.value.current.soi == "ร่วมใจ"
    assert isinstance(error.value, ValidationError) and error.value.code == "stale"


@pytest.mark.django_db
def test_save_versioned_checks_the_extra_condition_and_takes_a_queryset(households):
    household = households["A"]
    rows = Household.objects.filter(community=household.community)
    with pytest.raises(StaleEditError) as error:
        save_versioned(
            rows,
            pk=household.pk,
            expected_version=household.version,
            changes={"soi": "x"},
            where={"house_no": "not this one"},
            message="moved meanwhile",
        )
    assert error.value.messages == ["moved meanwhile"]
    assert Household.objects.get(pk=household.pk).version == household.version
