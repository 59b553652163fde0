import pytest
from django.core.management import call_command

from ppaos.accounts.models import User
from ppaos.targeting import selectors, verification
from ppaos.targeting.models import Campaign, TargetRecord


@pytest.mark.django_db
def test_demo_targeting_builds_a_list_with_errors_and_a_campaign(geography, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo-data", "--seed", "2566")
    call_command("assess", "--round", "2568-2")
    call_command("demo-targeting", "--seed", "2566")
    assert (tmp_path / "demo" / "tpmap-2566-demo.csv").exists()
    assert 150 < TargetRecord.objects.count() < 400
    assert TargetRecord.objects.filter(link_status="auto").count() > 150
    campaign = Campaign.objects.get()
    coordinator = User.objects.get(username="coordinator")
    total = selectors.error_report(user=coordinator, campaign=campaign)[-1]
    assert total.households_visited > 500
    assert 0 < total.inclusion.rate < 0.5
    assert total.awaiting_review > 0 and total.excluded_found > 0
    decided = verification.review_queue(user=coordinator, campaign=campaign, decided=True)
    assert decided and all(c.reviewed_status for c in decided)
    estimate = selectors.exclusion_estimate(user=coordinator, campaign=campaign)
    assert estimate.sample.seed == 2566 and estimate.verified > 100
    assert 0 < estimate.share.low < estimate.share.rate < estimate.share.high < 1
    progress = selectors.campaign_progress(user=coordinator, campaign=campaign)
    assert progress["communities_assigned"] == 30
