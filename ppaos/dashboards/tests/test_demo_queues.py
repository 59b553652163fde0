"""`make demo`'s data exercises every queue the home page points to: people on the target list
who are not in the registry and borderline pairs for linkage review, verification
disagreements, corrections and one life event of each kind, an overdue referral for every
provider, and each queue shows on the coordinator's and the district officer's home page."""

import re

import pytest
from django.core.management import call_command

from ppaos.accounts.models import User
from ppaos.community.models import Correction, CorrectionKind, CorrectionStatus
from ppaos.targeting.models import LinkStatus, TargetRecord

pytestmark = pytest.mark.django_db


def _count(page: str, key: str) -> int:
    match = re.search(
        rf'data-action="{key}"[^>]*>.*?<span class="next-count[^"]*">(\d+)</span>', page, re.S
    )
    assert match, f"no {key} on the home page"
    return int(match.group(1))


def test_demo_fills_every_queue(geography, settings, tmp_path, login):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo-data", "--seed", "2566")
    call_command("assess", "--round", "2568-2")
    call_command("demo-targeting", "--seed", "2566")
    call_command("load-services")
    call_command("demo-referrals", "--seed", "2566")
    call_command("demo-community", "--seed", "2566")

    records = TargetRecord.objects.all()
    assert records.filter(link_status=LinkStatus.REVIEW).exists()
    assert records.filter(link_status__in=[LinkStatus.UNLINKED, LinkStatus.NEW]).count() >= 8
    pending = Correction.objects.filter(is_demo=True, status=CorrectionStatus.PENDING)
    assert {CorrectionKind.FIELD, *CorrectionKind.values} <= set(
        pending.values_list("kind", flat=True)
    )
    assert Correction.objects.filter(is_demo=True, status=CorrectionStatus.REJECTED).exists()

    coordinator = User.objects.get(username="coordinator")
    page = login(coordinator).get("/").content.decode()
    for key in ("overdue", "corrections", "linkage"):
        assert _count(page, key) > 0, key
    assert re.search(r'data-action="verification-\d+"', page)
    officer = User.objects.get(username="district1008")
    page = login(officer).get("/").content.decode()
    for key in ("overdue", "corrections", "inbox"):
        assert _count(page, key) > 0, key
    leader = User.objects.get(username="leader")
    page = login(leader).get("/").content.decode()
    assert 'id="unread-count"' in page
