"""The one optimistic-locking write and the three-way merge (ppaos.lib.versioning)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import ValidationError

from ppaos.lib.forms import MergeFormMixin, _raw
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


# The form side (ppaos.lib.forms.MergeFormMixin) ---------------------------------------------


class _Form(MergeFormMixin, forms.Form):
    occupation = forms.CharField(required=False)
    phone = forms.CharField(required=False)
    income = forms.DecimalField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


def _stale(version: int) -> StaleEditError:
    return StaleEditError(SimpleNamespace(version=version, pk=1), "stale")


def _opened(values: dict, version: int = 1) -> dict:
    """What the browser posts back untouched: the fields and the hidden base inputs."""
    form = _Form(initial=values | {"version": version})
    return {n: _raw(v) for n, v in values.items()} | dict(form.merge_hidden) | {"version": version}


STORED = {"occupation": "ค้าขายอาหาร", "phone": "081", "income": Decimal("5000.00")}


def test_the_form_takes_theirs_keeps_mine_and_asks_for_both():
    posted = _opened(STORED) | {"phone": "082", "income": "7000"}
    form = _Form(posted)
    assert form.is_valid()
    theirs = STORED | {"occupation": "ค้าขายอาหารตามสั่ง", "income": Decimal("6000")}
    form.merge_stale(_stale(2), initial=theirs)
    assert form.data["occupation"] == "ค้าขายอาหารตามสั่ง" and form.data["phone"] == "082"
    assert form.data["version"] == 2
    assert [c["name"] for c in form.merge_conflicts] == ["income"]
    hidden = dict(form.merge_hidden)
    assert hidden["base_income"] == "6000" and hidden["merge_pending"] == "income"

    again = _Form({**form.data, **hidden})
    assert not again.is_valid()  # no choice made yet
    chosen = _Form({**form.data, **hidden, "choose_income": "theirs"})
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data["income"] == Decimal("6000")
    assert chosen.cleaned_data["occupation"] == "ค้าขายอาหารตามสั่ง"
    mine = _Form({**form.data, **hidden, "choose_income": "mine"})
    assert mine.is_valid() and mine.cleaned_data["income"] == Decimal("7000")


def test_without_base_inputs_every_difference_is_a_conflict():
    form = _Form({"occupation": "ก", "phone": "081", "income": "", "version": 1})
    assert form.is_valid()
    form.merge_stale(_stale(2), initial={"occupation": "ข", "phone": "081", "income": None})
    assert [c["name"] for c in form.merge_conflicts] == ["occupation"]
