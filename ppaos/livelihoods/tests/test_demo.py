"""`ppaos demo-livelihoods`: one programme, about 60 members, a plausible earlier round."""

import io

import pytest
from django.core.management import call_command

from ppaos.assessment.models import Assessment
from ppaos.demo.livelihoods import BASELINE_ROUND
from ppaos.livelihoods.models import Enrolment, IncomeRecord, Programme
from ppaos.livelihoods.selectors import community_mobility

pytestmark = pytest.mark.django_db


def _moves(household_ids=None):
    before = dict(
        Assessment.objects.filter(round_name=BASELINE_ROUND).values_list("household_id", "level")
    )
    after = dict(
        Assessment.objects.filter(round_name="2568-2").values_list("household_id", "level")
    )
    ids = household_ids if household_ids is not None else set(after)
    up = same = down = 0
    for h in ids:
        a, b = before.get(h), after.get(h)
        if a is None or b is None:
            continue
        up += b > a
        down += b < a
        same += a == b
    return up, same, down


def test_demo_programme_and_baseline_round(geography):
    out = io.StringIO()
    call_command("demo-data", "--seed", "2566", "--no-users", stdout=out)
    call_command("demo-livelihoods", "--seed", "2566", stdout=out)
    assert "60 members enrolled" in out.getvalue()
    call_command("assess", "--round", BASELINE_ROUND, stdout=out)
    call_command("assess", "--round", "2568-2", stdout=out)
    programme = Programme.objects.get()
    assert [s.name_en for s in programme.stages.all()][0] == "Production"
    assert set(programme.partners.values_list("kind", flat=True)) == {"buyer", "trainer", "lender"}
    assert Enrolment.objects.count() == 60
    assert IncomeRecord.objects.count() == 120
    assert Assessment.objects.filter(round_name=BASELINE_ROUND).count() == 658

    up, same, down = _moves()
    assert same > up > down > 0, (up, same, down)
    assert same > 0.6 * (up + same + down)
    members = set(Enrolment.objects.values_list("household_id", flat=True))
    m_up, m_same, m_down = _moves(members)
    assert m_up / (m_up + m_same + m_down) > up / (up + same + down)
    # Incomes of members who moved up grew more, on the whole.
    community = programme.communities.first()
    result = community_mobility(community_id=community.pk)
    assert result["from_round"] == BASELINE_ROUND and result["households"] > 0

    # Runs again over its own rows, same result.
    first = sorted(Enrolment.objects.values_list("person_id", "stage__position"))
    call_command("demo-livelihoods", "--seed", "2566", stdout=out)
    assert sorted(Enrolment.objects.values_list("person_id", "stage__position")) == first
    assert Programme.objects.count() == 1
    assert not Assessment.objects.filter(round_name=BASELINE_ROUND).exists()
