"""Synthetic community funds for the demo: this fiscal year's fund for every demo community,
in its province's mode, with a few proposals and the community's decisions, through the same
services as the pages. In a fund run by district procurement (Bangkok), the leader's community
takes every step: one request bought, delivered and confirmed as received; one delivered and
waiting for the leader to confirm; one waiting for the district office to buy. (Other demo
communities have no leader account to request their items, so their approved proposals wait
for the community's request.) In a cash-ledger fund, approved proposals get expenditures with
a generated receipt image.

Deterministic for a seed. Works only on demo communities and replaces its own earlier rows
(`is_demo`), never real ones."""

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ppaos.accounts.models import Role, User
from ppaos.areas.models import Community
from ppaos.community import procurement, services
from ppaos.community.models import (
    Correction,
    CorrectionKind,
    Decision,
    Expenditure,
    FundYear,
    Procurement,
    ProcurementEvent,
    Proposal,
)
from ppaos.community.programme import FundMode, ProcurementMethod, fiscal_year_be
from ppaos.registry.models import Household

# (title, purpose, amount requested, [(payee, what for)]) — synthetic examples.
PROJECTS = [
    (
        "ซ่อมทางเดินและท่อระบายน้ำในชุมชน",
        "ทางเดินชำรุด น้ำท่วมขังหน้าฝน ผู้สูงอายุหกล้มบ่อย",
        60000,
        [
            ("ร้านวัสดุก่อสร้าง (สาธิต)", "ปูนซีเมนต์ ทราย และท่อระบายน้ำ"),
            ("ช่างในชุมชน (สาธิต)", "ค่าแรงซ่อมทางเดิน"),
        ],
    ),
    (
        "อาหารกลางวันผู้สูงอายุที่อยู่ลำพัง",
        "อาหารกลางวันสัปดาห์ละ 2 วัน",
        36000,
        [("ร้านข้าวแกงในชุมชน (สาธิต)", "อาหารกลางวันเดือนแรก")],
    ),
    (
        "อบรมอาชีพทำขนมไทย",
        "ฝึกทักษะและซื้ออุปกรณ์ให้กลุ่มแม่บ้าน",
        45000,
        [("ร้านอุปกรณ์เบเกอรี่ (สาธิต)", "เตาอบและอุปกรณ์ทำขนม"), ("วิทยากร (สาธิต)", "ค่าวิทยากร 2 วัน")],
    ),
    ("ติดตั้งไฟส่องสว่างในซอย", "ซอยมืด ไม่ปลอดภัยตอนกลางคืน", 24000, [("ร้านไฟฟ้า (สาธิต)", "โคมไฟและสายไฟ")]),
    (
        "ทุนการศึกษาเด็กในชุมชน",
        "ค่าเครื่องแบบและอุปกรณ์การเรียน",
        40000,
        [("ร้านเครื่องเขียน (สาธิต)", "อุปกรณ์การเรียน")],
    ),
    ("ถังขยะและจุดคัดแยกขยะ", "ลดขยะตกค้างในชุมชน", 18000, [("ร้านพลาสติก (สาธิต)", "ถังขยะแยกประเภท")]),
    ("ศึกษาดูงานชุมชนต้นแบบ", "คณะกรรมการชุมชนไปดูงานการจัดการขยะ", 30000, []),
]


@dataclass
class DemoFunds:
    years: int
    proposals: int
    decisions: int
    expenditures: int
    requests: int = 0
    corrections: int = 0


def _receipt(rng: random.Random, amount: Decimal, day: dt.date) -> ContentFile:
    """A small synthetic receipt image (PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 200), (252, 250, 242))
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, 353, 193), outline=(120, 120, 120))
    draw.text((20, 20), "DEMO RECEIPT - synthetic", fill=(160, 20, 40))
    draw.text((20, 60), f"No. {rng.randint(1000, 9999)}   Date {day.isoformat()}", fill=(0, 0, 0))
    draw.text((20, 100), f"Amount THB {amount:,.2f}", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name="receipt.png")


def _clear() -> None:
    expenditures = Expenditure.objects.filter(is_demo=True)
    for expenditure in expenditures:
        if expenditure.receipt:
            expenditure.receipt.delete(save=False)
    expenditures.delete()
    ProcurementEvent.objects.filter(procurement__is_demo=True).delete()
    Procurement.objects.filter(is_demo=True).delete()
    Decision.objects.filter(is_demo=True).delete()
    Proposal.objects.filter(is_demo=True).delete()
    FundYear.objects.filter(is_demo=True).delete()
    Correction.objects.filter(is_demo=True).delete()


def _corrections(community: Community, leader: User, office: User) -> int:
    """What waits in the review queue for the leader's community: a correction of a field and
    one life event of each kind (a death, a move-out, a new household), and one correction the
    district office has rejected (a decided one, with its notice to the leader)."""
    today = timezone.localdate()
    households = list(
        Household.objects.filter(community=community, is_demo=True)
        .prefetch_related("memberships__person")
        .order_by("code")
    )
    current = [(h, [m for m in h.memberships.all() if m.end_date is None]) for h in households]
    current = [(h, members) for h, members in current if members]
    if len(current) < 4:
        return 0
    (h1, m1), (h2, m2), (h3, m3), (h4, _m4) = current[:4]
    services.correction_propose(
        actor=leader,
        household=h1,
        field="soi",
        value="ซอยร่วมใจ 3",
        reason="ป้ายซอยเปลี่ยนชื่อเมื่อปีที่แล้ว (ข้อมูลสาธิต)",
    )
    for kind, (household, members), days in (
        (CorrectionKind.DEATH, (h2, m2), 20),
        (CorrectionKind.MOVED_OUT, (h3, m3), 45),
    ):
        member = members[-1]  # the youngest in the list: rarely the head
        services.life_event_propose(
            actor=leader,
            household=household,
            person=member.person,
            kind=kind,
            date=max(member.start_date, today - dt.timedelta(days=days)),
            reason="ญาติแจ้งผู้นำชุมชน (ข้อมูลสาธิต)",
        )
    services.new_household_propose(
        actor=leader,
        community=community,
        household_data={"house_no": "199/9", "soi": "ซอยร่วมใจ 5"},
        head_data={
            "first_name": "สมปอง",
            "last_name": "มาใหม่",
            "sex": "M",
            "birth_date": dt.date(1980, 5, 1),
        },
        reason="ย้ายเข้ามาเช่าบ้านเมื่อต้นปี ยังไม่มีในทะเบียน (ข้อมูลสาธิต)",
    )
    rejected = services.correction_propose(
        actor=leader,
        household=h4,
        field="road",
        value="ถนนสาธิต",
        reason="ชื่อถนนไม่ตรง (ข้อมูลสาธิต)",
    )
    if office.pk != leader.pk:
        services.correction_reject(
            actor=office,
            correction=rejected,
            expected_version=rejected.version,
            note="ตรวจแล้วชื่อถนนในทะเบียนบ้านถูกต้อง (ข้อมูลสาธิต)",
        )
    return Correction.objects.filter(community=community).update(is_demo=True)


def _actor(community: Community) -> User:
    """The demo leader records their own community's fund; the district office the others."""
    leader = User.objects.filter(
        role_assignments__role=Role.COMMUNITY_LEADER, role_assignments__community=community
    ).first()
    if leader:
        return leader
    office = User.objects.filter(
        role_assignments__role=Role.DISTRICT_OFFICER,
        role_assignments__district_id=community.district_code,
    ).first()
    return office or User.objects.filter(is_superuser=True).first() or User.objects.first()


def _office(community: Community) -> User:
    """Who acts for the district office: its officer, else the city's coordinator or admin."""
    office = User.objects.filter(
        role_assignments__role=Role.DISTRICT_OFFICER,
        role_assignments__district_id=community.district_code,
    ).first()
    city = User.objects.filter(
        role_assignments__role=Role.COORDINATOR,
        role_assignments__province_id=community.subdistrict_id[:2],
    ).first()
    return office or city or User.objects.filter(is_superuser=True).first() or User.objects.first()


# How far the leader's community's approved proposals get, in order: every step taken and
# confirmed; delivered and waiting for the leader; requested and waiting for the district.
STAGES = ("received", "delivered", "requested")


def _procure(rng, proposal, leader, office, amount: Decimal, meeting: dt.date, base, stage):
    """Run one approved proposal through the steps up to `stage`, each by its own side."""

    def day(after: dt.date, low: int, high: int) -> dt.date:
        return min(after + dt.timedelta(days=rng.randint(low, high)), base)

    requested_on = day(meeting, 3, 10)
    item = procurement.procurement_request(
        actor=leader,
        proposal=proposal,
        items=f"{proposal.title}: {proposal.purpose}",
        amount_requested=amount,
        requested_on=requested_on,
    )
    if stage == "requested":
        return
    procured_on = day(requested_on, 5, 20)
    item = procurement.procurement_purchase(
        actor=office,
        procurement=item,
        expected_version=item.version,
        procured_on=procured_on,
        method=rng.choice([ProcurementMethod.SPECIFIC] * 3 + [ProcurementMethod.SELECTION]),
        amount=(amount * Decimal(rng.choice(["0.92", "0.96", "1"]))).quantize(Decimal(1)),
        reference=f"ใบสั่งซื้อ {rng.randint(100, 999)}/{fiscal_year_be(procured_on)} (สาธิต)",
        supplier="ร้านค้าคู่สัญญาของสำนักงานเขต (สาธิต)",
    )
    delivered_on = day(procured_on, 3, 15)
    item = procurement.procurement_deliver(
        actor=office,
        procurement=item,
        expected_version=item.version,
        delivered_on=delivered_on,
        delivery_note=f"ส่งมอบ {proposal.title} ครบตามรายการ (สาธิต)",
    )
    if stage == "delivered":
        return
    procurement.procurement_confirm(
        actor=leader,
        procurement=item,
        expected_version=item.version,
        received_on=day(delivered_on, 0, 3),
        complete=True,
        note="ได้รับครบ ใช้งานได้ (สาธิต)",
    )


def _community_fund(rng, community: Community, actor, year_be: int, base: dt.date, first: bool):
    counts = [0, 0, 0, 0]
    year = services.fund_year_open(actor=actor, community=community, year_be=year_be)
    procuring = year.mode == FundMode.PROCUREMENT
    stages = list(STAGES) if first and procuring else []
    office = _office(community)
    picks = rng.sample(PROJECTS, 5 if first else rng.randint(1, 3))
    for position, (title, purpose, requested, lines) in enumerate(picks):
        proposal = services.proposal_create(
            actor=actor,
            fund_year=year,
            title=title,
            purpose=purpose,
            amount_requested=Decimal(requested),
            proposer_name="คณะกรรมการชุมชน" if position % 2 == 0 else "กลุ่มแม่บ้าน",
        )
        counts[0] += 1
        # The leader's community keeps its last proposal open, for the demo to decide.
        if first and position == len(picks) - 1:
            continue
        meeting = base - dt.timedelta(days=rng.randint(60, 120))
        attendance = rng.randint(25, 60)
        rejected = not first and rng.random() < 0.2 or (first and position == 2)
        votes_for = attendance // 4 if rejected else attendance - rng.randint(2, 8)
        votes_against = attendance - votes_for - 2 if rejected else rng.randint(0, 2)
        approved_amount = Decimal(requested) - Decimal(rng.choice([0, 0, 5000]))
        services.decision_record(
            actor=actor,
            proposal=proposal,
            meeting_date=meeting,
            attendance=attendance,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=attendance - votes_for - votes_against,
            approved_amount=None if rejected else approved_amount,
            minutes_note="ที่ประชุมเห็นชอบ" if not rejected else "ที่ประชุมไม่เห็นชอบ ให้ทบทวนใหม่",
        )
        counts[1] += 1
        if rejected:
            continue
        if procuring:
            if stages:
                stage = stages.pop(0)
                _procure(rng, proposal, actor, office, approved_amount, meeting, base, stage)
                counts[3] += 1
            continue
        left = approved_amount
        for payee, description in lines:
            amount = (left * Decimal(rng.choice(["0.4", "0.5", "0.6"]))).quantize(Decimal(1))
            day = meeting + dt.timedelta(days=rng.randint(5, 50))
            services.expenditure_record(
                actor=actor,
                proposal=proposal,
                spent_on=min(day, base),
                amount=amount,
                payee=payee,
                description=description,
                receipt=_receipt(rng, amount, day),
            )
            left -= amount
            counts[2] += 1
    return counts


def demo_community_load(*, seed: int) -> DemoFunds:
    """Replace the demo funds with freshly generated ones."""
    rng = random.Random(seed)
    today = timezone.localdate()
    base = min(today, dt.date(2026, 6, 30))
    year_be = fiscal_year_be(base)
    _clear()
    communities = list(
        Community.objects.filter(is_demo=True).select_related("subdistrict").order_by("code")
    )
    leader_communities = set(
        User.objects.filter(role_assignments__role=Role.COMMUNITY_LEADER).values_list(
            "role_assignments__community_id", flat=True
        )
    )
    totals = [0, 0, 0, 0]
    with transaction.atomic():
        for community in communities:
            if community.fund_years.filter(year_be=year_be).exists():
                continue  # a real fund year someone opened: never replaced
            actor = _actor(community)
            counts = _community_fund(
                rng, community, actor, year_be, base, community.pk in leader_communities
            )
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
        FundYear.objects.filter(community__in=communities).update(is_demo=True)
        Proposal.objects.filter(fund_year__community__in=communities).update(is_demo=True)
        Decision.objects.filter(proposal__fund_year__community__in=communities).update(is_demo=True)
        Expenditure.objects.filter(proposal__fund_year__community__in=communities).update(
            is_demo=True
        )
        Procurement.objects.filter(proposal__fund_year__community__in=communities).update(
            is_demo=True
        )
        corrections = 0
        for community in communities:
            if community.pk in leader_communities and not community.corrections.exists():
                corrections += _corrections(community, _actor(community), _office(community))
    return DemoFunds(len(communities), *totals, corrections=corrections)
