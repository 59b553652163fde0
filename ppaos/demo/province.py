"""The demo's upcountry province: Samut Songkhram (75) from the sample DLA and DOPA files,
with demo households in its villages and communities, and referrals routed to its local
administrative organisations (อปท.) and their local health funds, so both shapes of the
system (Bangkok's district offices, a province's อปท.) have data. Deterministic for a seed.

Its accounts (the demo password): `coordinator75` (coordinator of the province), and for
each อปท. `lao<code>` (its office) and `fund<code>` (its local health fund)."""

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ppaos.accounts.models import Role, User
from ppaos.accounts.services import DEMO_PASSWORD, role_assign, user_create
from ppaos.areas.models import Community, Province
from ppaos.areas.services import communities_import_csv, province_onboard
from ppaos.demo.registry import _batches, _Generator, _start_ids
from ppaos.lib import bulk
from ppaos.referrals import notifications, services
from ppaos.referrals.models import (
    Benefit,
    LocalProvider,
    Notification,
    Referral,
    Service,
)
from ppaos.registry.models import Household, Membership, Person

DEMO_PROVINCE = "75"
DEMO_HOUSEHOLDS = 150
SAMPLES = Path(__file__).resolve().parents[1] / "areas" / "data" / "samples"


@dataclass
class DemoProvince:
    local_governments: int
    villages: int
    households: int
    referrals: int
    accounts: list[str]


def _onboard() -> tuple[int, int]:
    def sample(name: str) -> str:
        return (SAMPLES / f"{DEMO_PROVINCE}-{name}.csv").read_text(encoding="utf-8")

    report = province_onboard(
        code=DEMO_PROVINCE,
        lao_text=sample("dla-lao"),
        village_text=sample("dopa-villages"),
        require_served=False,
    )
    if report.rejected:
        raise RuntimeError(f"sample files rejected: {report.rejected}")
    communities_import_csv(sample("municipal-communities"))
    services.local_providers_ensure(province_code=DEMO_PROVINCE)
    return report.count("lao", "created") + report.count("lao", "unchanged"), sum(
        1 for r in report.rows if r.file == "villages"
    )


def _communities() -> list[Community]:
    return list(
        Community.objects.filter(subdistrict__code__startswith=DEMO_PROVINCE)
        .select_related("subdistrict", "village")
        .order_by("code")
    )


def _households(seed: int, count: int) -> int:
    """Demo households in the province's communities, unless there are some already."""
    existing = Household.objects.filter(
        is_demo=True, community__subdistrict__code__startswith=DEMO_PROVINCE
    ).count()
    if existing:
        return existing
    today = dt.date(2026, 1, 15)
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    gen = _Generator(seed + 75, today)
    communities = _communities()
    moo = {c.id: str(c.village.moo) for c in communities if c.village_id}
    for batch in _batches(gen, communities, count, _start_ids(), now=now, batch_size=5_000):
        for row in batch.households:
            row["moo"] = moo.get(row["community_id"], "")
        bulk.rows_write(Household, batch.households)
        bulk.rows_write(Person, batch.people)
        bulk.rows_write(Membership, batch.memberships)
    Community.objects.bulk_update(communities, ["household_seq"])
    bulk.sequences_reset(Household, Person, Membership)
    return count


def _account(username: str, first_name: str, role: str, **scope) -> User:
    user = User.objects.filter(username=username).first() or user_create(
        username=username, password=DEMO_PASSWORD, first_name=first_name, last_name="(สาธิต)"
    )
    organisation = scope.get("organisation")
    user.organisation = organisation
    user.save(update_fields=["organisation"])
    user.role_assignments.all().delete()
    role_assign(user=user, role=role, **scope)
    return user


def _accounts() -> tuple[User, dict[int, User], list[str]]:
    coordinator = _account(
        "coordinator75",
        "ประสานงานสมุทรสงคราม",
        Role.COORDINATOR,
        province=Province.objects.get(code=DEMO_PROVINCE),
    )
    acceptors: dict[int, User] = {}
    providers = LocalProvider.objects.filter(
        local_government__province_id=DEMO_PROVINCE
    ).select_related("organisation")
    for provider in providers:
        prefix = "lao" if provider.function == LocalProvider.Function.OFFICE else "fund"
        acceptors[provider.organisation_id] = _account(
            f"{prefix}{provider.local_government_id}",
            "เจ้าหน้าที่",
            Role.AGENCY_OFFICER,
            organisation=provider.organisation,
        )
    usernames = ["coordinator75", *sorted(u.username for u in acceptors.values())]
    return coordinator, acceptors, usernames


def _clear() -> None:
    referrals = Referral.objects.filter(
        is_demo=True, household__subdistrict__code__startswith=DEMO_PROVINCE
    )
    Benefit.objects.filter(referral__in=referrals).delete()
    Notification.objects.filter(referral__in=referrals).delete()
    referrals.delete()


def _referrals(rng: random.Random, coordinator: User, acceptors: dict[int, User]) -> int:
    """Referrals of the oldest heads: the old-age allowance (to the อปท.) and, for every
    second one, adult diapers (to the อปท.'s local health fund), in several states."""
    old_age = Service.objects.get(code="old_age_allowance")
    diapers = Service.objects.get(code="adult_diapers")
    heads = list(
        Membership.objects.filter(
            household__is_demo=True,
            household__subdistrict__code__startswith=DEMO_PROVINCE,
            relation="head",
            end_date__isnull=True,
        )
        .select_related("household", "person")
        .order_by("person__birth_date", "id")[:12]
    )
    now = timezone.now()
    made = 0
    for n, membership in enumerate(heads):
        for service in (old_age, diapers) if n % 2 == 0 else (old_age,):
            at = now - dt.timedelta(days=rng.randint(3, 40))
            referral = services.referral_create(
                actor=coordinator,
                household=membership.household,
                person=membership.person,
                service=service,
                note="ผู้สูงอายุในหมู่บ้าน ขอให้พิจารณาช่วยเหลือ (ข้อมูลสาธิต)",
                consent_given=True,
                consent_by=membership.person.full_name,
                at=at,
                is_demo=True,
            )
            referral = services.referral_send(actor=coordinator, referral=referral, at=at)
            made += 1
            acceptor = acceptors.get(referral.organisation_id)
            if acceptor is not None and n % 3 != 2:
                referral = services.referral_accept(
                    actor=acceptor, referral=referral, at=at + dt.timedelta(days=1)
                )
    return made


def demo_province_load(*, seed: int, households: int = DEMO_HOUSEHOLDS) -> DemoProvince:
    """Onboard the sample province, add its demo households (once), accounts and referrals
    (replacing earlier demo referrals of the province, never real ones)."""
    rng = random.Random(seed)
    with transaction.atomic(), notifications.emails_suppressed():
        local_governments, villages = _onboard()
        count = _households(seed, households)
        if not Service.objects.filter(code__in=["old_age_allowance", "adult_diapers"]).exists():
            services.catalogue_load()
        coordinator, acceptors, usernames = _accounts()
        _clear()
        referrals = _referrals(rng, coordinator, acceptors)
    return DemoProvince(local_governments, villages, count, referrals, usernames)
