"""The campaign's visit survey as an XLSForm, for ODK Collect and KoboCollect (offline).

The form asks what the web visit form asks (`forms.VisitForm`), with the same field names
so `submissions.py` can read the exports back: `consent_given`, `consent_by`, `visited_on`,
`outcome`, `ind_<code>` (met / not_met / na), `cap_<code>` (1–4), `problems`, `needs`,
`notes`, `photo`. Consent comes before any survey question, and the survey group is
`relevant` only when consent is "yes". The outcome, visit date and notes are kept without
consent (a household that was not found cannot consent), as on the web.

Household selection works offline without any media file: the form carries the campaign's
communities and households in its choices sheet. The volunteer picks the community, then
the household from a list filtered to that community (`choice_filter`, `autocomplete`).

`base_version` is a hidden `calculate`, not a number volunteers copy. Each household choice
carries an extra column `hh_version`, the household's registry version when the form was
exported, and `base_version` reads it from the secondary instance
(`instance('households')/root/item[name = ${household}]/hh_version`). This is ODK's
`baseVersion`: the version the device had when the edit started. Copying a number by hand
would be error-prone, and a typo would either hide a real conflict or invent one. A later
registry edit bumps the household's version, so a submission made with an older form is
flagged as a conflict on import, never applied silently. Only for a household missing from
the list (registered after the export) does the volunteer choose "other", type the household
code and copy the version shown on the household's page; both are required then.

Person-level indicators are asked per member in a repeat group, `survey/members`. The
choices sheet carries each listed household's current members (list `members`: the person's
id as the choice name, name and age at export as the label, and columns `hh` = household
code, `birth` = ISO birth date or blank, `disabled` = 1/0). `member_count` counts the chosen
household's members; the repeat has that many entries (`repeat_count`), each picking a member
(`member`, filtered to the household, each member once) and asking `pind_<code>` (met /
not met) only when the indicator applies to that member on the visit day: age in whole years
on `visited_on` within the indicator's `ages`, and a disability card for `when: disabled`,
as the assessment engine decides it. The household-level `ind_<code>` of a person-level
indicator is asked only when the household has no listed members (a household typed as
"other", or one without registered members). Without member choices (no members, or a user
who may not see people) the form has no repeat and asks every indicator of the household.

The form version changes whenever the preloaded lists (codes, versions, members) or the
indicator set changes, so ODK Central and Kobo accept a re-export as a new version of the
same form.
"""

import hashlib
import io
import json
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ppaos.areas.models import Community
from ppaos.assessment.rules import score_choices
from ppaos.registry.models import Household, Membership
from ppaos.targeting.forms import PURPOSE
from ppaos.targeting.members import age_on, person_indicators
from ppaos.targeting.models import Campaign, CampaignAssignment, Outcome

# Bump when the layout of the form changes, so the version string changes too.
FORM_REVISION = 2
TH = "Thai (th)"
EN = "English (en)"
LANGUAGES = {"th": TH, "en": EN}
OTHER = "other"
SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{TH}",
    f"label::{EN}",
    f"hint::{TH}",
    f"hint::{EN}",
    "required",
    "relevant",
    "calculation",
    "constraint",
    f"constraint_message::{TH}",
    f"constraint_message::{EN}",
    "appearance",
    "choice_filter",
    "default",
    "parameters",
    "repeat_count",
)
CHOICE_COLUMNS = (
    "list_name",
    "name",
    f"label::{TH}",
    f"label::{EN}",
    "community",
    "hh_version",
    "hh",
    "birth",
    "disabled",
)
MEMBERS = "members"  # the repeat group and its choices list
CONSENTED = "${consent_given} = 'yes'"
OUTCOME_TH = {
    Outcome.CONFIRMED_POOR: "ยืนยันว่ายากจน",
    Outcome.NOT_POOR: "ไม่ยากจน (คัดเข้าผิด)",
    Outcome.NOT_FOUND: "ไม่พบตัว",
    Outcome.MOVED: "ย้ายออก",
    Outcome.DIED: "เสียชีวิต",
    Outcome.DUPLICATE: "ซ้ำซ้อน",
    Outcome.NEWLY_FOUND_POOR: "พบคนจนเพิ่ม (ตกหล่นจากบัญชี)",
}
PURPOSE_TH = (
    "เพื่อตรวจสอบสภาพของครัวเรือนและส่งต่อความช่วยเหลือที่ครัวเรือนควรได้รับ "
    "(การแก้ไขปัญหาความยากจน PPAOS) ข้อมูลเก็บรักษาโดยเมือง "
    "และแบ่งปันเฉพาะกับหน่วยงานที่ให้ความช่วยเหลือเท่านั้น"
)
CAPITAL_EN = {
    "human": "Human capital",
    "physical": "Physical capital",
    "financial": "Financial capital",
    "natural": "Natural capital",
    "social": "Social capital",
}


class XLSFormError(ValueError):
    """The form cannot be built, or pyxform found the generated workbook invalid."""


@dataclass(frozen=True)
class FormScope:
    communities: QuerySet[Community]
    households: QuerySet[Household]


def campaign_scope(*, campaign: Campaign, area=None, volunteer=None) -> FormScope:
    """Communities and households the form carries: the whole campaign, the part inside a
    manager's `area` (an AreaSet), or a volunteer's own assigned communities."""
    assignments = CampaignAssignment.objects.filter(campaign=campaign)
    if area is not None:
        assignments = assignments.filter(area.q("community"))
    if volunteer is not None:
        assignments = assignments.filter(volunteer=volunteer)
    communities = Community.objects.filter(pk__in=assignments.values("community")).order_by("code")
    households = Household.objects.filter(community__in=communities.values("pk"))
    if area is not None:
        households = households.filter(area.q("community"))
    return FormScope(communities=communities, households=households.order_by("code"))


def form_id(campaign: Campaign) -> str:
    return f"ppaos_campaign_{campaign.pk}"


def build_xlsform(
    *,
    campaign: Campaign,
    indicator_set,
    language: str = "th",
    communities: QuerySet[Community] | None = None,
    households: QuerySet[Household] | None = None,
    with_members: bool = True,
) -> bytes:
    """The survey as .xlsx bytes (sheets survey, choices, settings), checked with pyxform.

    Without `communities`/`households`, the form carries every community assigned in the
    campaign and all their households; views pass the part the user may see. With
    `with_members` (the user may see people), it carries the households' current members for
    the per-member questions."""
    if language not in LANGUAGES:
        raise XLSFormError(f"language must be one of {', '.join(LANGUAGES)}")
    if communities is None or households is None:
        scope = campaign_scope(campaign=campaign)
        communities = scope.communities if communities is None else communities
        households = scope.households if households is None else households
    community_rows = list(communities.values_list("code", "name_th"))
    if not community_rows:
        raise XLSFormError(_("no community of this campaign is assigned (in your area) yet"))
    household_rows = [
        (h.code, h.community.code, h.version, h.address_line())
        for h in households.select_related("community").only(
            "code", "version", "house_no", "moo", "village", "soi", "road", "community__code"
        )
    ]
    member_rows = _member_rows(households) if with_members else []
    version = _form_version(indicator_set, community_rows, household_rows, member_rows)
    survey = _survey_rows(indicator_set, language, members=bool(member_rows))
    choices = _choice_rows(indicator_set, community_rows, household_rows, member_rows)
    settings = {
        "form_title": f"PPAOS: {campaign.name}"[:200],
        "form_id": form_id(campaign),
        "version": version,
        "default_language": LANGUAGES[language],
        "instance_name": "concat(${household_code}, ' ', ${visited_on}, ' ', ${outcome})",
    }
    data = _workbook(survey, choices, settings)
    xlsform_to_xform(data)
    return data


def xlsform_to_xform(data: bytes) -> str:
    """Convert XLSForm bytes to XForm XML with pyxform; XLSFormError if it is invalid."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        return convert(xlsform=io.BytesIO(data), file_type=".xlsx", pretty_print=True).xform
    except (PyXFormError, ValueError, KeyError) as e:
        raise XLSFormError(f"the generated XLSForm is not valid: {e}") from e


# Layout ---------------------------------------------------------------------------------------


def _q(type_: str, name: str, th: str = "", en: str = "", **extra) -> dict:
    row = {"type": type_, "name": name, f"label::{TH}": th, f"label::{EN}": en or th}
    for key, value in extra.items():
        column = {
            "hint_th": f"hint::{TH}",
            "hint_en": f"hint::{EN}",
            "message_th": f"constraint_message::{TH}",
            "message_en": f"constraint_message::{EN}",
        }.get(key, key)
        row[column] = value
    return row


def _xpath_literal(text: str) -> str:
    """`text` as an XPath string literal (XPath 1.0 has no escapes: concat around quotes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    pieces = []
    for index, part in enumerate(text.split("'")):
        if index:
            pieces.append('"\'"')
        if part:
            pieces.append(f"'{part}'")
    return f"concat({', '.join(pieces)})"


def _member_rows(households: QuerySet[Household]) -> list[tuple]:
    """(person id, household code, full name, birth date or "", 1/0 disability card) of the
    households' current members, head first, each person once."""
    today = timezone.localdate()
    memberships = (
        Membership.objects.filter(household__in=households.values("pk"), end_date__isnull=True)
        .select_related("person", "household")
        .order_by("household__code", "start_date", "id")
    )
    order = {"head": 0, "spouse": 1}
    rows, seen = [], set()
    for m in sorted(memberships, key=lambda m: (m.household.code, order.get(m.relation, 2))):
        if m.person_id in seen:
            continue
        seen.add(m.person_id)
        person = m.person
        rows.append(
            (
                m.person_id,
                m.household.code,
                person.full_name,
                person.birth_date.isoformat() if person.birth_date else "",
                age_on(person.birth_date, today),
                int(person.has_disability_card),
            )
        )
    return rows


def _age_xpath() -> str:
    """Whole years from `member_birth` (ISO text) to `visited_on`; blank without a birth date."""
    birth = "${member_birth}"
    years = f"number(format-date(${{visited_on}}, '%Y')) - number(substring({birth}, 1, 4))"
    before_birthday = (
        "number(format-date(${visited_on}, '%m%d')) < "
        f"number(concat(substring({birth}, 6, 2), substring({birth}, 9, 2)))"
    )
    return f"if({birth} = '', '', {years} - if({before_birthday}, 1, 0))"


def _eligible_xpath(indicator) -> str:
    conditions = ["${member} != ''"]
    if indicator.min_age is not None or indicator.max_age is not None:
        conditions.append("${member_age} != ''")  # without a birth date: no age range
    if indicator.min_age is not None:
        conditions.append(f"${{member_age}} >= {indicator.min_age}")
    if indicator.max_age is not None:
        conditions.append(f"${{member_age}} <= {indicator.max_age}")
    if indicator.disabled_only:
        conditions.append("${member_disabled} = '1'")
    return " and ".join(conditions)


def _member_repeat(indicator_set) -> list[dict]:
    """The per-member questions: one repeat entry per listed member of the household."""
    rows = [
        _q(
            "begin repeat",
            MEMBERS,
            "ตัวชี้วัดรายบุคคล: สมาชิกแต่ละคน",
            "Indicators for each member",
            relevant="${member_count} > 0",
            repeat_count="${member_count}",
        ),
        _q(
            f"select_one {MEMBERS}",
            "member",
            "สมาชิก",
            "Member",
            required="yes",
            choice_filter="hh = ${household}",
            constraint=f"count(/data/survey/{MEMBERS}/member[. = current()]) = 1",
            message_th="เลือกสมาชิกแต่ละคนเพียงครั้งเดียว",
            message_en="Choose each member only once",
            hint_th="เลือกสมาชิกคนละหนึ่งรายการ แล้วตอบเฉพาะข้อที่ถามถึงสมาชิกคนนั้น",
            hint_en="One entry per member; answer the questions asked about that member",
        ),
        _q(
            "calculate",
            "member_birth",
            calculation=f"instance('{MEMBERS}')/root/item[name = ${{member}}]/birth",
        ),
        _q(
            "calculate",
            "member_disabled",
            calculation=f"instance('{MEMBERS}')/root/item[name = ${{member}}]/disabled",
        ),
        _q("calculate", "member_age", calculation=_age_xpath()),
    ]
    for indicator in person_indicators(indicator_set):
        rows.append(
            _q(
                "select_one met2",
                f"pind_{indicator.code}",
                indicator.name_th,
                indicator.name_en,
                relevant=_eligible_xpath(indicator),
            )
        )
    rows.append(_q("end repeat", f"{MEMBERS}_end"))
    return rows


def _survey_rows(indicator_set, language: str, *, members: bool = False) -> list[dict]:
    with translation.override("en"):
        purpose_en = str(PURPOSE)
    rows = [
        _q("start", "start"),
        _q("end", "end"),
        _q("username", "username"),
        # Household: picked from the preloaded list, or typed when it is missing.
        _q("begin group", "hh", "ครัวเรือน", "Household"),
        _q(
            "select_one communities",
            "community",
            "ชุมชน",
            "Community",
            required="yes",
        ),
        _q(
            "select_one households",
            "household",
            "รหัสครัวเรือน",
            "Household code",
            required="yes",
            appearance="autocomplete",
            choice_filter=f"community = ${{community}} or name = '{OTHER}'",
            hint_th="ถ้าไม่มีในรายการ เลือก 'อื่น ๆ' แล้วพิมพ์รหัส",
            hint_en="If it is not listed, choose 'other' and type the code",
        ),
        _q(
            "text",
            "household_code_typed",
            "รหัสครัวเรือน (พิมพ์)",
            "Household code (typed)",
            required="yes",
            relevant=f"${{household}} = '{OTHER}'",
        ),
        _q(
            "integer",
            "base_version_typed",
            "ฉบับที่ (version) ของครัวเรือน ตามหน้าข้อมูลครัวเรือน",
            "Household version, as shown on the household's page",
            required="yes",
            relevant=f"${{household}} = '{OTHER}'",
            constraint=". >= 1",
            message_th="ต้องเป็นเลขตั้งแต่ 1",
            message_en="Must be 1 or more",
        ),
        _q(
            "calculate",
            "household_code",
            calculation=(
                f"if(${{household}} = '{OTHER}', ${{household_code_typed}}, ${{household}})"
            ),
        ),
        _q(
            "calculate",
            "base_version",
            calculation=(
                f"if(${{household}} = '{OTHER}', ${{base_version_typed}}, "
                "instance('households')/root/item[name = ${household}]/hh_version)"
            ),
        ),
        *(
            [
                _q(
                    "calculate",
                    "member_count",
                    calculation=f"count(instance('{MEMBERS}')/root/item[hh = ${{household}}])",
                )
            ]
            if members
            else []
        ),
        _q("end group", "hh_end"),
        # Consent (PDPA) before any survey answer.
        _q("begin group", "consent", "ความยินยอม", "Consent"),
        _q(
            "note",
            "consent_purpose_note",
            f"วัตถุประสงค์ที่แจ้งครัวเรือน: {PURPOSE_TH}",
            f"Purpose told to the household: {purpose_en}",
        ),
        _q(
            "select_one yes_no",
            "consent_given",
            "ครัวเรือนยินยอมให้ข้อมูลเพื่อวัตถุประสงค์นี้",
            "The household agreed to give information for this purpose",
            required="yes",
        ),
        _q(
            "text",
            "consent_by",
            "ผู้ให้ความยินยอม (ชื่อ)",
            "Consent given by (name)",
            required="yes",
            relevant=CONSENTED,
        ),
        _q(
            "calculate",
            "consent_purpose",
            calculation=_xpath_literal(PURPOSE_TH if language == "th" else purpose_en),
        ),
        _q("end group", "consent_end"),
        # The visit itself: kept with or without consent.
        _q("begin group", "visit", "การเยี่ยม", "Visit"),
        _q(
            "date",
            "visited_on",
            "วันที่เยี่ยม",
            "Visited on",
            required="yes",
            default="today()",
            constraint=". <= today()",
            message_th="วันที่เยี่ยมต้องไม่เป็นวันในอนาคต",
            message_en="A visit cannot be in the future",
        ),
        _q("select_one outcomes", "outcome", "ผลการตรวจสอบ", "Outcome", required="yes"),
        _q("text", "notes", "บันทึกเพิ่มเติม", "Notes", appearance="multiline"),
        _q("end group", "visit_end"),
        # The survey: only with consent.
        _q("begin group", "survey", "แบบสำรวจ", "Survey", relevant=CONSENTED),
    ]
    dimensions: dict[str, list[dict]] = {}
    for indicator in indicator_set.indicators():
        dimensions.setdefault(indicator["dimension"], []).append(indicator)
    names = {d["code"]: d for d in indicator_set.definition["dimensions"]}
    for code, indicators in dimensions.items():
        dimension = names[code]
        rows.append(
            _q(
                "begin group",
                f"dim_{code}",
                f"ตัวชี้วัด: {dimension.get('name_th', code)}",
                f"Indicators: {dimension.get('name_en') or dimension.get('name_th', code)}",
            )
        )
        for indicator in indicators:
            # A person-level indicator is asked of the household only without listed members.
            per_member = members and indicator.get("applies_to") == "person"
            rows.append(
                _q(
                    "select_one met3",
                    f"ind_{indicator['code']}",
                    indicator["name_th"],
                    indicator.get("name_en", ""),
                    relevant="${member_count} = 0" if per_member else "",
                )
            )
        rows.append(_q("end group", f"dim_{code}_end"))
    if members:
        rows += _member_repeat(indicator_set)
    capitals: dict[str, list[dict]] = {}
    for item in indicator_set.capital_items():
        capitals.setdefault(item["capital"], []).append(item)
    for capital, items in capitals.items():
        rows.append(
            _q(
                "begin group",
                f"capital_{capital}",
                items[0].get("capital_th", capital),
                CAPITAL_EN.get(capital, capital),
            )
        )
        for item in items:
            rows.append(
                _q(
                    f"select_one score_{item['code']}",
                    f"cap_{item['code']}",
                    item["name_th"],
                    item.get("name_en", ""),
                    appearance="horizontal",
                )
            )
        rows.append(_q("end group", f"capital_{capital}_end"))
    rows += [
        _q("select_multiple problems", "problems", "ปัญหาของครัวเรือน", "Problems"),
        _q("text", "needs", "ความต้องการ", "Needs", appearance="multiline"),
        _q(
            "image",
            "photo",
            "ภาพถ่าย (ถ้ามี)",
            "Photo (optional)",
            parameters="max-pixels=1280",
        ),
        _q("end group", "survey_end"),
    ]
    return rows


def _choice_rows(indicator_set, communities, households, members=()) -> list[dict]:
    def choice(list_name, name, th, en=""):
        return {"list_name": list_name, "name": name, f"label::{TH}": th, f"label::{EN}": en or th}

    rows = [choice("yes_no", "yes", "ใช่ ยินยอม", "Yes"), choice("yes_no", "no", "ไม่ยินยอม", "No")]
    with translation.override("en"):
        for value, label in Outcome.choices:
            rows.append(choice("outcomes", value, OUTCOME_TH.get(value, str(label)), str(label)))
    rows += [
        choice("met3", "met", "ผ่านเกณฑ์", "Met"),
        choice("met3", "not_met", "ไม่ผ่านเกณฑ์", "Not met"),
        choice("met3", "na", "ไม่เกี่ยวข้อง", "Does not apply"),
        choice("met2", "met", "ผ่านเกณฑ์", "Met"),
        choice("met2", "not_met", "ไม่ผ่านเกณฑ์", "Not met"),
    ]
    # One 1–4 list per capital item, each score labelled with what it means for that item.
    for item in indicator_set.capital_items():
        thai = score_choices(item)
        english = score_choices(item, english=True)
        for (value, th), (_value, en) in zip(thai, english, strict=True):
            rows.append(choice(f"score_{item['code']}", value, th, en))
    for problem in indicator_set.definition.get("problems", []):
        rows.append(
            choice("problems", problem["code"], problem["name_th"], problem.get("name_en", ""))
        )
    for code, name in communities:
        rows.append(choice("communities", code, f"{code} {name}"))
    for code, community, version, address in households:
        row = choice("households", code, f"{code} {address}".strip())
        rows.append(row | {"community": community, "hh_version": version})
    rows.append(choice("households", OTHER, "อื่น ๆ (ไม่มีในรายการ)", "Other (not listed)"))
    for person_id, household, name, birth, age, disabled in members:
        th = name if age is None else f"{name} (อายุ {age} ปี)"
        en = name if age is None else f"{name} ({age} years)"
        row = choice(MEMBERS, str(person_id), th, en)
        rows.append(row | {"hh": household, "birth": birth, "disabled": disabled})
    return rows


def _form_version(indicator_set, communities, households, members=()) -> str:
    content = json.dumps(
        [FORM_REVISION, indicator_set.code, indicator_set.version, communities, households]
        + ([members] if members else []),
        ensure_ascii=False,
        default=str,
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:8]
    return f"{indicator_set.version}-{digest}"


def _workbook(survey: list[dict], choices: list[dict], settings: dict) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheets = (
        ("survey", SURVEY_COLUMNS, survey),
        ("choices", CHOICE_COLUMNS, choices),
        ("settings", tuple(settings), [settings]),
    )
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            sheet.append([row.get(c, "") for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
