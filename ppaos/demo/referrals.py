"""Synthetic referral data for the demo: who already receives what (so "eligible but excluded"
means something), and referrals from the khet 1008 district office to the demo agency in every
state — sent, overdue, accepted, in progress, rejected, completed with a benefit, transferred,
a draft — with household development plans.

Deterministic for a seed. Works only on demo households (`is_demo`) and replaces its own
earlier rows, never real ones."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ppaos.accounts.models import Organisation, Role, User
from ppaos.accounts.services import DEMO_PASSWORD, role_assign, user_create
from ppaos.lib import safejson
from ppaos.referrals import notifications, services
from ppaos.referrals.eligibility import scan
from ppaos.referrals.models import (
    Benefit,
    HouseholdPlan,
    Notification,
    Referral,
    Service,
)
from ppaos.registry.models import Household, Membership

AGENCY_NAME = "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์กรุงเทพมหานคร"
DEMO_DISTRICT = "1008"
# Share of the eligible who already receive each programme (synthetic, for the demo only).
TAKE_UP = {
    "old_age_allowance": 0.85,
    "disability_allowance": 0.75,
    "ucs_gold_card": 0.95,
    "state_welfare_card": 0.55,
    "child_support_grant": 0.6,
    "eef_scholarship": 0.4,
    "codi_baan_mankong": 0.1,
    "family_relief_grant": 0.05,
    "survival_bag": 0.3,
    "adult_diapers": 0.3,
    "skills_training": 0.1,
}


@dataclass
class DemoReferrals:
    benefits: int
    referrals: int
    plans: int
    overdue: int


def _clear() -> None:
    demo_referrals = Referral.objects.filter(is_demo=True)
    Benefit.objects.filter(source=Benefit.Source.DEMO).delete()
    Benefit.objects.filter(referral__in=demo_referrals).delete()
    Notification.objects.filter(referral__in=demo_referrals).delete()
    demo_referrals.delete()
    HouseholdPlan.objects.filter(is_demo=True).delete()


def _baseline(rng: random.Random, today: dt.date) -> int:
    """Benefits people already receive, at the programme's synthetic take-up rate."""
    rows = []
    households = Household.objects.filter(is_demo=True)
    for e in scan(households=households, on=today):
        if not e.eligible or e.receiving:
            continue
        if rng.random() < TAKE_UP.get(e.service.code, 0):
            rows.append(
                Benefit(
                    person=e.person,
                    service=e.service,
                    since=today - dt.timedelta(days=rng.randint(60, 2500)),
                    amount=e.amount,
                    source=Benefit.Source.DEMO,
                )
            )
    Benefit.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _excluded_in_district(today: dt.date) -> dict[str, list]:
    """{service code: evaluations of people eligible but not receiving} in the demo khet."""
    households = Household.objects.filter(
        is_demo=True, community__subdistrict__district_id=DEMO_DISTRICT
    )
    result: dict[str, list] = {}
    for e in scan(households=households, on=today):
        if e.excluded:
            result.setdefault(e.service.code, []).append(e)
    return result


def _at(now: dt.datetime, days_ago: float) -> dt.datetime:
    return now - dt.timedelta(days=days_ago)


def demo_referrals_load(*, seed: int) -> DemoReferrals:
    with transaction.atomic(), notifications.emails_suppressed():
        return _load(seed=seed)


def demo_acceptors_create() -> list[str]:
    """A demo agency officer (`agency_<key>`, the demo password) for every catalogue provider
    that nobody answers for yet, so every demo referral can be accepted. District-office
    services are answered by the district's own officers (`district1008`)."""
    data = safejson.loads(services.DEFAULT_CATALOGUE.read_bytes())
    created = []
    for row in data.get("organisations", []):
        organisation = Organisation.objects.filter(name_th=row["name_th"]).first()
        if organisation is None or notifications.agency_officers(organisation.pk).exists():
            continue
        username = f"agency_{row['key']}"
        user = User.objects.filter(username=username).first() or user_create(
            username=username,
            password=DEMO_PASSWORD,
            first_name="เจ้าหน้าที่",
            last_name=row.get("name_en", "") or row["key"],
        )
        user.organisation = organisation
        user.save(update_fields=["organisation"])
        user.role_assignments.all().delete()
        role_assign(user=user, role=Role.AGENCY_OFFICER, organisation=organisation)
        created.append(username)
    return created


def _load(*, seed: int) -> DemoReferrals:
    rng = random.Random(seed)
    services.catalogue_load()
    demo_acceptors_create()
    officer = User.objects.get(username="district1008")
    agency_user = User.objects.get(username="agency")
    agency = Organisation.objects.get(name_th=AGENCY_NAME)
    now = timezone.now()
    today = timezone.localdate()
    _clear()
    benefit_count = _baseline(rng, today)

    relief = Service.objects.get(code="family_relief_grant")
    card = Service.objects.get(code="disability_card")
    old_age = Service.objects.get(code="old_age_allowance")
    bag = Service.objects.get(code="survival_bag")

    excluded = _excluded_in_district(today)
    excluded_relief = list(excluded.get("family_relief_grant", []))
    rng.shuffle(excluded_relief)
    if len(excluded_relief) < 8:
        raise RuntimeError("too few demo households eligible for the relief grant")
    picks = iter(excluded_relief)
    made = []

    def refer(evaluation, service, *, days_ago, intervention=None, consent=True, note=""):
        referral = services.referral_create(
            actor=officer,
            household=evaluation.household,
            person=evaluation.person,
            service=service,
            note=note or "ครัวเรือนรายได้ต่ำกว่าเส้นความยากจน ขอให้ประเมินและช่วยเหลือ (ข้อมูลสาธิต)",
            consent_given=consent,
            consent_by=evaluation.person.full_name if consent else "",
            intervention=intervention,
            at=_at(now, days_ago + 0.1),
            is_demo=True,
        )
        referral = services.referral_send(
            actor=officer,
            referral=referral,
            override_reason=""
            if consent
            else "ผู้สูงอายุติดเตียง ไม่สามารถให้ความยินยอมได้ ญาติไม่อยู่ (ข้อมูลสาธิต)",
            at=_at(now, days_ago),
        )
        made.append(referral)
        return referral

    # 1. Completed with a benefit, inside a household plan (coverage gained).
    first = next(picks)
    plan = services.plan_open(
        actor=officer,
        household=first.household,
        responsible=officer,
        goal="รายได้ต่อคนเกินเส้นความยากจนภายใน 1 ปี (ข้อมูลสาธิต)",
        opened_on=today - dt.timedelta(days=45),
        is_demo=True,
    )
    problem = services.plan_problem_add(
        actor=officer, plan=plan, code="income", description="รายได้ไม่พอรายจ่ายประจำเดือน"
    )
    step = services.plan_intervention_add(
        actor=officer,
        plan=plan,
        problem=problem,
        service=relief,
        person=first.person,
        description="ขอเงินสงเคราะห์ครอบครัวผู้มีรายได้น้อย",
        responsible_name=officer.get_full_name(),
        target_date=today - dt.timedelta(days=20),
    )
    services.plan_intervention_add(
        actor=officer,
        plan=plan,
        problem=problem,
        description="ชวนเข้ากลุ่มออมทรัพย์ชุมชน",
        responsible_name="ผู้นำชุมชน",
        target_date=today + dt.timedelta(days=60),
    )
    done = refer(first, relief, days_ago=40, intervention=step)
    services.referral_accept(actor=agency_user, referral=done, at=_at(now, 38))
    services.referral_complete(
        actor=agency_user,
        referral=done,
        outcome="อนุมัติเงินสงเคราะห์ 3,000 บาท โอนเข้าบัญชีแล้ว (ข้อมูลสาธิต)",
        enrolled=True,
        benefit_amount=Decimal(3000),
        benefit_from=today - dt.timedelta(days=30),
        at=_at(now, 30),
    )
    services.plan_visit_record(
        actor=officer,
        plan=plan,
        visited_on=today - dt.timedelta(days=14),
        progress="better",
        notes="ได้รับเงินสงเคราะห์แล้ว เริ่มออมเงินกับกลุ่ม (ข้อมูลสาธิต)",
        next_visit_on=today + dt.timedelta(days=30),
    )
    services.plan_exit_check(actor=officer, plan=plan, exit=False, notes="ยังต้องติดตามรายได้")

    # 2. In progress, inside a second plan.
    second = next(picks)
    plan2 = services.plan_open(
        actor=officer,
        household=second.household,
        responsible=officer,
        goal="ลดภาระหนี้นอกระบบ (ข้อมูลสาธิต)",
        opened_on=today - dt.timedelta(days=12),
        is_demo=True,
    )
    debt = services.plan_problem_add(actor=officer, plan=plan2, code="debt")
    step2 = services.plan_intervention_add(
        actor=officer,
        plan=plan2,
        problem=debt,
        service=relief,
        person=second.person,
        description="ขอเงินสงเคราะห์และคำปรึกษาการจัดการหนี้",
        responsible_name=officer.get_full_name(),
    )
    working = refer(second, relief, days_ago=10, intervention=step2)
    services.referral_accept(actor=agency_user, referral=working, at=_at(now, 8))
    services.referral_start(actor=agency_user, referral=working, at=_at(now, 7))

    # 3. Accepted; 4. just sent (sent under a consent override); 5. overdue (never answered).
    accepted = refer(next(picks), relief, days_ago=5)
    services.referral_accept(actor=agency_user, referral=accepted, at=_at(now, 3))
    refer(next(picks), relief, days_ago=1, consent=False)
    overdue = refer(next(picks), relief, days_ago=relief.sla_days + 10)

    # 6. Rejected with its reason.
    rejected = refer(next(picks), relief, days_ago=12)
    services.referral_reject(
        actor=agency_user,
        referral=rejected,
        reason="ตรวจสอบแล้วครัวเรือนได้รับความช่วยเหลือจากโครงการอื่นในเดือนนี้ (ข้อมูลสาธิต)",
        at=_at(now, 10),
    )

    # 7. Sent to the district office for a survival bag, then transferred to the agency.
    bag_candidates = [
        e
        for e in excluded.get("survival_bag", [])
        if e.person.pk not in {r.person_id for r in made}
    ]
    if (
        bag_candidates
        and Organisation.objects.filter(kind="district_office", district_id=DEMO_DISTRICT).exists()
    ):
        moved = refer(rng.choice(bag_candidates), bag, days_ago=6)
        services.referral_transfer(
            actor=officer,
            referral=moved,
            organisation=agency,
            reason="ถุงยังชีพของเขตหมดคลัง ส่งต่อให้ พม. (ข้อมูลสาธิต)",
            at=_at(now, 4),
        )

    # 8. Old-age allowance: an excluded older person, completed by the district office.
    elders = [
        e
        for e in excluded.get("old_age_allowance", [])
        if e.person.pk not in {r.person_id for r in made}
    ]
    if (
        elders
        and Organisation.objects.filter(kind="district_office", district_id=DEMO_DISTRICT).exists()
    ):
        elder = rng.choice(elders)
        allowance = refer(elder, old_age, days_ago=35)
        services.referral_accept(actor=officer, referral=allowance, at=_at(now, 30))
        services.referral_complete(
            actor=officer,
            referral=allowance,
            outcome="ขึ้นทะเบียนผู้สูงอายุแล้ว รับเบี้ยยังชีพตั้งแต่เดือนถัดไป (ข้อมูลสาธิต)",
            enrolled=True,
            benefit_amount=elder.amount,
            benefit_from=today - dt.timedelta(days=15),
            at=_at(now, 16),
        )

    # 9. A draft on judgement: a disability card for an older member with a chronic illness.
    for e in excluded.get("old_age_allowance", []) + excluded.get("state_welfare_card", []):
        person = e.person
        if (
            person.chronic_illness
            and not person.has_disability_card
            and person.pk not in {r.person_id for r in made}
        ):
            services.referral_create(
                actor=officer,
                household=e.household,
                person=person,
                service=card,
                note="ผู้สูงอายุเดินไม่ได้ ขอประเมินความพิการ (ข้อมูลสาธิต)",
                consent_given=True,
                consent_by=person.full_name,
                is_demo=True,
            )
            break

    # 10. An overdue referral (sent, never answered) for every provider of the catalogue: each
    # agency and the district office, so each one's overdue queue has something in it.
    covered = {overdue.organisation_id}
    taken = {r.person_id for r in made}
    members = list(
        Membership.objects.filter(
            end_date__isnull=True,
            household__is_demo=True,
            household__subdistrict__district_id=DEMO_DISTRICT,
        )
        .select_related("household", "person")
        .order_by("pk")
    )
    for service in Service.objects.filter(is_active=True).order_by("code"):
        candidates = [m for m in members if m.person_id not in taken]
        if not candidates:
            break
        member = rng.choice(candidates)
        try:
            organisation = services.receiving_organisation(
                service=service, household=member.household
            )
        except ValidationError:
            continue  # no district office registered for the khet
        if organisation.pk in covered:
            continue
        evaluation = SimpleNamespace(household=member.household, person=member.person)
        refer(evaluation, service, days_ago=service.sla_days + 7)
        covered.add(organisation.pk)
        taken.add(member.person_id)

    # The daily overdue check has run (in-app notices; e-mail is off while replaying).
    services.referrals_notify_overdue(today=today)
    # Demo staff get e-mail addresses now, so later notices are e-mailed too.
    for user in (officer, agency_user):
        if not user.email:
            user.email = f"{user.username}@example.org"
            user.save(update_fields=["email"])
    return DemoReferrals(
        benefits=benefit_count,
        referrals=Referral.objects.filter(is_demo=True).count(),
        plans=HouseholdPlan.objects.filter(is_demo=True).count(),
        overdue=Referral.objects.filter(is_demo=True, status="sent", due_on__lt=today).count(),
    )
