import pytest
from django.core.management import call_command

from ppaos.accounts.models import User
from ppaos.targeting import selectors
from ppaos.targeting.models import Campaign, TargetRecord


@pytest.mark.django_db
def test_demo_targeting_builds_a_list_with_errors_and_a_campaign(geography, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo-data", "--seed", "2566")
    call_command("demo-targeting", "--seed", "2566")
    assert (tmp_path / "demo" / "tpmap-2566-demo.csv").exists()
    assert 150 < TargetRecord.objects.count() < 400
    assert TargetRecord.objects.filter(link_status="auto").count() > 150
    campaign = Campaign.objects.get()
    coordinator = User.objects.get(username="coordinator")
    total = selectors.error_report(user=coordinator, campaign=campaign)[-1]
    assert total.households_visited > 500
    assert 0 < total.inclusion.rate < 0.5
    assert 0 < total.exclusion.rate < 0.5
    progress = selectors.campaign_progress(user=coordinator, campaign=campaign)
    assert progress["communities_assigned"] == 30
