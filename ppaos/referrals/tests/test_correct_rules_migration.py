"""Databases that loaded the earlier catalogue get its wrong rule versions corrected, and only
those: a version a coordinator changed stays as it is."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from ppaos.referrals.models import Service, ServiceRule

migration = importlib.import_module("ppaos.referrals.migrations.0003_correct_shipped_rules")
OLD_OR = {
    "and": [
        {"var": "thai"},
        {">=": [{"var": "age"}, 18]},
        {
            "or": [
                {"<=": [{"var": "annual_income"}, 100000]},
                {"<=": [{"var": "household.income_per_person_year"}, 100000]},
            ]
        },
    ]
}
OLD_DIAPERS = {"and": [{">=": [{"var": "age"}, 60]}, {"var": "disability_card"}]}


def _service(code: str) -> Service:
    return Service.objects.create(
        code=code, name_th=code, category="welfare", provider_is_district_office=True
    )


@pytest.mark.django_db
def test_shipped_wrong_versions_are_corrected(geography):
    card, diapers, mine = _service("state_welfare_card"), _service("adult_diapers"), _service("x")
    ServiceRule.objects.create(
        service=card, effective_from=dt.date(2022, 9, 5), eligibility=OLD_OR, amount=300
    )
    ServiceRule.objects.create(
        service=diapers, effective_from=dt.date(2024, 10, 1), eligibility=OLD_DIAPERS
    )
    edited = {"and": [{"var": "thai"}, {">=": [{"var": "age"}, 65]}]}
    old_age = _service("old_age_allowance")
    ServiceRule.objects.create(
        service=old_age, effective_from=dt.date(2011, 10, 1), eligibility=edited
    )
    migration.correct(apps, None)
    fixed = card.rules.get()
    assert "or" not in str(fixed.eligibility) and "financial_assets" in str(fixed.eligibility)
    assert fixed.effective_from == dt.date(2022, 9, 5)
    (diaper_rule,) = diapers.rules.all()
    assert diaper_rule.effective_from == dt.date(2022, 5, 2)
    assert "adl_score" in str(diaper_rule.eligibility)
    diapers.refresh_from_db()
    assert not diapers.provider_is_district_office and diapers.provider.name_th.startswith(
        "กองทุนหลักประกันสุขภาพ"
    )
    card.refresh_from_db()
    assert card.registration_by_rounds and card.registration_windows[0]["from"] == "2022-09-05"
    assert old_age.rules.get().eligibility == edited  # a coordinator's version: untouched
    assert not mine.rules.exists()
