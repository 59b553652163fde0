"""Synthetic targeting data for the demo: a TPMAP-style list with the errors the pilot found
(listed households that are not poor, poor households missing from the list, typos, missing
IDs, a few unusable rows) and a verification campaign with its visits.

Deterministic for a seed. Works only on demo households (`is_demo`)."""

import csv
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from django.db.models import Prefetch

from ppaos.accounts.models import User
from ppaos.registry import national_id
from ppaos.registry.models import PREFIX_TEXT, Household, Membership
from ppaos.targeting import services, verification
from ppaos.targeting.models import Campaign, ExclusionSample, Outcome, Visit
from ppaos.targeting.services_verification import (
    exclusion_sample_draw,
    verification_review_decide,
)

HEADER = ["เลขประจำตัวประชาชน", "คำนำหน้า", "ชื่อ", "นามสกุล", "เพศ", "วันเกิด", "รหัสแขวง", "บ้านเลขที่"]
POOR_PER_PERSON_MONTH = Decimal(3000)
CAMPAIGN_NAME = "ตรวจสอบข้อมูลคนจนเป้าหมาย 2566 (สาธิต)"


def _is_poor(household: Household) -> bool | None:
    """The volunteer's reading of income per person; None when any income is unknown (an
    unknown income is not 0)."""
    members = household.current
    incomes = [m.person.monthly_income for m in members]
    if not incomes or any(i is None for i in incomes):
        return None
    return sum(incomes, Decimal(0)) / len(incomes) < POOR_PER_PERSON_MONTH


def _households():
    current = Membership.objects.filter(end_date__isnull=True).select_related("person")
    return list(
        Household.objects.filter(is_demo=True)
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
        .select_related("community")
        .order_by("code")
    )


def _typo(rng: random.Random, name: str) -> str:
    """A plausible data-entry slip: a dropped tone mark or a swapped final consonant."""
    for a, b in (("่", ""), ("้", ""), ("ณ", "น"), ("ศ", "ส"), ("ร", "ล")):
        if a in name and rng.random() < 0.7:
            return name.replace(a, b, 1)
    return name


def _be(date: dt.date) -> str:
    return date.strftime("%d/%m/") + str(date.year + 543)


def _row(person, household, *, nid="", first=None, birth=None, house=None) -> list[str]:
    return [
        nid,
        PREFIX_TEXT.get(person.prefix, ""),
        person.first_name if first is None else first,
        person.last_name,
        "ชาย" if person.sex == "M" else "หญิง",
        _be(birth or person.birth_date),
        household.subdistrict_id,
        household.house_no if house is None else house,
    ]


def _borderline_rows(rng: random.Random, households: list[Household]) -> list[list[str]]:
    """Adult members other than the head, written as a survey team might mistype them: no ID,
    and a slipped name, a day and month swapped, a year off by one or another house number.
    Their match probability falls between PPAOS_LINK_REVIEW and PPAOS_LINK_AUTO, so they wait
    in the linkage review queue instead of linking on their own."""
    adults = [
        (m.person, h)
        for h in households
        for m in h.current
        if m.relation != "head" and m.person.birth_date and m.person.birth_date.year < 2000
    ]
    rows = []
    for n, (person, household) in enumerate(rng.sample(adults, min(24, len(adults)))):
        birth = person.birth_date
        kind = n % 4
        if kind == 0:  # a slipped name and the year off by one
            rows.append(
                _row(person, household, first=_slip(person.first_name), birth=_year(birth, 1))
            )
        elif kind == 1:  # day and month swapped, another house number
            swapped = _swap(birth)
            rows.append(_row(person, household, birth=swapped, house=f"{household.house_no}/1"))
        elif kind == 2:  # the same day and month in another year, the house number left out
            rows.append(_row(person, household, birth=_year(birth, 5), house=""))
        else:  # a slipped name, another house number
            rows.append(
                _row(person, household, first=_slip(person.first_name), house="99/" + str(n))
            )
    return rows


def _slip(name: str) -> str:
    """One character dropped from the middle of a name (a typing slip)."""
    if len(name) < 4:
        return name + "ร์"
    middle = len(name) // 2
    return name[:middle] + name[middle + 1 :]


def _year(date: dt.date, years: int) -> dt.date:
    return date.replace(year=date.year - years, day=min(date.day, 28))


def _swap(date: dt.date) -> dt.date:
    if date.day <= 12 and date.day != date.month:
        return date.replace(month=date.day, day=date.month)
    return date.replace(day=min(date.day, 28), month=(date.month % 12) + 1)


OUTSIDERS = [
    ("นาย", "ประเสริฐ", "ทองสุข", "ชาย"),
    ("นาง", "มาลัย", "ศรีสมบูรณ์", "หญิง"),
    ("นางสาว", "กัลยา", "บุญประเสริฐ", "หญิง"),
    ("นาย", "วิชัย", "แสงอรุณ", "ชาย"),
    ("นาง", "บุปผา", "เพชรรัตน์", "หญิง"),
    ("นาย", "สุรเชษฐ์", "พลอยงาม", "ชาย"),
    ("นาง", "ลำดวน", "คงมั่น", "หญิง"),
    ("นาย", "ธนากร", "เจริญสุข", "ชาย"),
]


def _outsider_rows(rng: random.Random, households: list[Household]) -> list[list[str]]:
    """People on the list who are not in the registry (moved in, or never surveyed): valid
    IDs nobody holds, names no one has, house numbers no demo household uses."""
    subdistricts = sorted({h.subdistrict_id for h in households}) or ["100801"]
    rows = []
    for n, (prefix, first, last, sex) in enumerate(OUTSIDERS):
        nid = national_id.make(f"3{rng.randint(10**10, 10**11 - 1)}")
        birth = dt.date(rng.randint(1945, 1995), rng.randint(1, 12), rng.randint(1, 28))
        rows.append(
            [nid, prefix, first, last, sex, _be(birth), rng.choice(subdistricts), f"88/{n + 1}"]
        )
    return rows


def target_list_csv(*, seed: int, path: Path) -> dict[str, int]:
    """Write the demo TPMAP list: most poor heads, some non-poor ones, noise, bad rows."""
    rng = random.Random(seed)
    rows, listed = [], 0
    households = _households()
    for household in households:
        head = next((m.person for m in household.current if m.relation == "head"), None)
        if head is None:
            continue
        poor = _is_poor(household)
        chance = {True: 0.8, False: 0.15, None: 0.5}[poor]
        if rng.random() >= chance:
            continue  # the list misses some poor (exclusion) and holds some non-poor (inclusion)
        listed += 1
        first, last = head.first_name, head.last_name
        nid = head.national_id or ""
        if rng.random() < 0.1:
            first = _typo(rng, first)
        if rng.random() < 0.05:
            nid = ""
        rows.append(
            [
                nid,
                PREFIX_TEXT.get(head.prefix, ""),
                first,
                last,
                "ชาย" if head.sex == "M" else "หญิง",
                head.birth_date.strftime("%d/%m/") + str(head.birth_date.year + 543),
                household.subdistrict_id,
                household.house_no,
            ]
        )
    extra = random.Random(seed + 7)
    rows.extend(_borderline_rows(extra, households))
    rows.extend(_outsider_rows(extra, households))
    rows.append(["1234545678789", "นาย", "ทดสอบ", "เลขผิด", "ชาย", "01/01/2500", "100801", "1"])
    rows.append(["", "นาง", "ไม่มี", "รหัสแขวง", "หญิง", "02/02/2510", "999999", "2"])
    rows.append(["", "", "", "ไม่มีชื่อ", "หญิง", "03/03/2520", "100801", "3"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return {"listed": listed, "rows": len(rows)}


def campaign_with_visits(*, seed: int, target_list, coordinator: User) -> Campaign:
    """A campaign over every demo community, with a visit for most households."""
    rng = random.Random(seed)
    ExclusionSample.objects.filter(campaign__name=CAMPAIGN_NAME).delete()
    Visit.objects.filter(campaign__name=CAMPAIGN_NAME).delete()
    Campaign.objects.filter(name=CAMPAIGN_NAME).delete()
    campaign = services.campaign_open(
        actor=coordinator, name=CAMPAIGN_NAME, target_list=target_list
    )
    volunteers = {}
    for user in User.objects.filter(username__in=["volunteer", "volunteer2"]):
        for a in user.role_assignments.filter(community__isnull=False):
            volunteers[a.community_id] = user
    households = _households()
    for community_id in sorted({h.community_id for h in households}):
        volunteer = volunteers.get(community_id, coordinator)
        community = next(h.community for h in households if h.community_id == community_id)
        services.campaign_assign(campaign=campaign, community=community, volunteer=volunteer)
    sample = exclusion_sample_draw(campaign=campaign, actor=coordinator, seed=seed)
    sampled = set(sample.members.values_list("household_id", flat=True))
    start = dt.date(2025, 6, 1)
    for household in households:
        if rng.random() > (0.97 if household.pk in sampled else 0.92):
            continue  # not visited yet
        roll = rng.random()
        if roll < 0.03:
            outcome = Outcome.NOT_FOUND
        elif roll < 0.05:
            outcome = Outcome.MOVED
        else:
            poor = _is_poor(household)
            if poor is None:  # income unknown: the volunteer judges by what they see
                poor = rng.random() < 0.5
            outcome = Outcome.CONFIRMED_POOR if poor else Outcome.NOT_POOR
        head = next((m.person for m in household.current if m.relation == "head"), None)
        services.visit_record(
            campaign=campaign,
            household=household,
            volunteer=volunteers.get(household.community_id, coordinator),
            outcome=outcome,
            visited_on=start + dt.timedelta(days=rng.randint(0, 280)),
            consent_given=outcome not in (Outcome.NOT_FOUND, Outcome.MOVED),
            consent_by=head.full_name if head else "",
            consent_purpose="ตรวจสอบสถานะครัวเรือนและส่งต่อความช่วยเหลือ",
        )
    reviews_decide(seed=seed, campaign=campaign, coordinator=coordinator)
    return campaign


def reviews_decide(*, seed: int, campaign: Campaign, coordinator: User) -> int:
    """Settle about half of the review queue: mostly as the survey says, sometimes keeping
    the volunteer's outcome with a reason. The rest stays in the queue for the demo."""
    rng = random.Random(seed + 1)
    decided = 0
    queue = verification.review_queue(user=coordinator, campaign=campaign)
    for check in sorted(queue, key=lambda c: c.visit.household.code):
        roll = rng.random()
        if roll < 0.5:
            continue
        keep_claim = roll > 0.85
        verification_review_decide(
            visit=check.visit,
            actor=coordinator,
            decision=check.claim if keep_claim else check.survey_status,
            note="ตรวจซ้ำแล้ว รายได้ที่แจ้งในวันเยี่ยมเป็นปัจจุบันกว่า" if keep_claim else "",
        )
        decided += 1
    return decided
