"""Issue 15 (1): people and households are found by name, national ID, phone, household code
and house number, among those the user may see, best match first; every search is audited
without an ID or phone in clear. The same tests run on SQLite and on PostgreSQL
(DATABASE_URL=postgres://…); the trigram test needs PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection

from ppaos.audit.models import AuditEvent
from ppaos.conftest import make_person
from ppaos.registry import search_keys
from ppaos.registry.models import Person
from ppaos.registry.search import household_search, parse, person_search
from ppaos.registry.services import household_create, person_add_to_household, person_update

pytestmark = pytest.mark.django_db

PHONE = "0812345678"


def _add(actor, household, n, relation="spouse", **extra) -> Person:
    return person_add_to_household(
        actor=actor,
        household=household,
        data=make_person(n, **extra),
        relation=relation,
        start_date=dt.date(2021, 1, 1),
    )


@pytest.fixture
def somjai(coordinator, households):
    """นางสาวสมใจ ศรีสุข, with a phone, in community A's household."""
    return _add(
        coordinator,
        households["A"],
        11,
        prefix="nangsao",
        first_name="สมใจ",
        last_name="ศรีสุข",
        sex="F",
        phone=PHONE,
    )


@pytest.fixture
def volunteer_c(communities):
    from ppaos.accounts.models import Role
    from ppaos.accounts.services import role_assign, user_create

    user = user_create(username="vol_c", password="x" * 20)
    role_assign(user=user, role=Role.VOLUNTEER, community=communities["C"])
    return user


# The search key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("สมใจ", "สมไจ"),  # ใ and ไ are one: people mix them up
        ("สมใจ้", "สมไจ"),
        ("นางสาวสมใจ ศรีสุข", "สมไจ ศรีสุข"),
        ("น.ส. สมใจ", "สมไจ"),
        ("ด.ญ.มะลิ", "มะลิ"),
        ("เด็กหญิง มะลิ", "มะลิ"),
        ("นายสมชาย", "สมชาย"),
        ("กิ่งแก้ว", "กิงแกว"),
        ("ทํา", "ทำ"),  # นิคหิต + สระอา typed for สระอำ
        ("Mr. John  SMITH", "john smith"),
        ("José", "jose"),
    ],
)
def test_name_key_ignores_tone_marks_prefixes_case_and_spacing(typed, key):
    assert search_keys.normalize_name(typed) == key


def test_query_reading():
    assert parse("๐๘๑-๒๓๔-๕๖๗๘").phone_hash == search_keys.phone_hash(PHONE)
    assert parse("+66 81 234 5678").phone_hash == search_keys.phone_hash(PHONE)
    assert parse("3-7001-00543-21-7").id_hash is not None
    assert parse("สมใจ").name == "สมไจ" and parse("สมใจ").id_hash is None
    assert parse("   ").is_empty and parse("!!!").is_empty


def test_services_keep_the_keys_in_step(coordinator, somjai):
    somjai.refresh_from_db()
    assert somjai.search_name == "สมไจ ศรีสุข"
    assert somjai.phone_hash == search_keys.phone_hash(PHONE)
    assert PHONE not in somjai.phone_hash
    data = {name: getattr(somjai, name) for name in ("first_name", "sex", "national_id")}
    person_update(
        actor=coordinator,
        person=somjai,
        expected_version=somjai.version,
        data=data | {"first_name": "สมศรี", "last_name": "ใจงาม", "phone": ""},
    )
    somjai.refresh_from_db()
    assert somjai.search_name == "สมศรี ไจงาม" and somjai.phone_hash is None


# Matching and ranking ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["สมใจ", "สมไจ", "สมใจ้", "นางสาวสมใจ", "น.ส.สมใจ", "ศรีสุข", "ศรี", "ใจ ศรี", "สุข"]
)
def test_tone_marks_prefixes_and_partial_names_find_the_person(coordinator, somjai, query):
    assert somjai in person_search(user=coordinator, query=query)


def test_best_matches_come_first(coordinator, households):
    household = households["A"]
    contains = _add(coordinator, household, 21, first_name="ประสมใจ", last_name="ดี")
    prefix = _add(coordinator, household, 22, first_name="สมใจดี", last_name="มาก")
    family = _add(coordinator, household, 23, first_name="บุญมี", last_name="สมใจ")
    exact = _add(coordinator, household, 24, first_name="สมใจ", last_name="")
    found = list(person_search(user=coordinator, query="สมใจ"))
    assert found[0] == exact
    assert set(found[1:3]) == {prefix, family}  # a word starting with the query
    assert found[3] == contains
    assert [p.search_rank for p in found[:4]] == [0, 1, 1, 2]
    assert all(p.search_rank == 3 for p in found[4:])  # trigram neighbours (PostgreSQL)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL only")
def test_a_typo_is_found_by_trigrams_last_on_postgresql(coordinator, households, somjai):
    found = list(person_search(user=coordinator, query="ศรีสุก"))  # สุข typed สุก
    assert somjai in found
    assert found[-1].search_rank == 3


def test_national_id_with_dashes_or_thai_digits_is_found_by_its_hash(coordinator, households):
    person = households["B"].memberships.get().person
    nid = person.national_id
    dashed = f"{nid[0]}-{nid[1:5]}-{nid[5:10]}-{nid[10:12]}-{nid[12]}"
    thai = nid.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    for query in (nid, dashed, thai, f" {thai[:5]} {thai[5:]} "):
        assert list(person_search(user=coordinator, query=query)) == [person]
    assert not person_search(user=coordinator, query=nid[:12]).exists()  # whole IDs only


def test_phone_matches_the_whole_number_only(coordinator, somjai):
    for query in (PHONE, "081-234-5678", "+66 81 234 5678", "๐๘๑๒๓๔๕๖๗๘"):
        assert list(person_search(user=coordinator, query=query)) == [somjai]
    assert not person_search(user=coordinator, query="081234567").exists()
    assert not person_search(user=coordinator, query="0812345679").exists()


def test_household_code_and_house_number(coordinator, households, communities):
    household = households["A"]
    other = household_create(
        actor=coordinator, community=communities["A"], data={"house_no": "11/9"}
    )
    assert list(household_search(user=coordinator, query=household.code)) == [household]
    assert list(household_search(user=coordinator, query="1/1")) == [household]
    assert list(household_search(user=coordinator, query="11/")) == [other]
    # A prefix of the code: every household of community A, by code.
    prefix = household.code[:-2]
    assert list(household_search(user=coordinator, query=prefix)) == [household, other]
    # Contained only (`50%` is found by `%`): after exact and prefix matches.
    found = list(household_search(user=coordinator, query="1/"))
    assert found == [household, other]  # 1/1 starts with it, 11/9 holds it
    assert [h.search_rank for h in found] == [1, 2]


def test_households_are_found_by_a_members_name(coordinator, households, somjai):
    assert list(household_search(user=coordinator, query="สมไจ")) == [households["A"]]


# Scope --------------------------------------------------------------------------------------


def test_out_of_scope_people_are_never_found(volunteer_a, coordinator, households):
    person_c = households["C"].memberships.get().person
    own = households["A"].memberships.get().person
    assert list(person_search(user=volunteer_a, query="ใจดี")) == [own]
    assert not person_search(user=volunteer_a, query=person_c.national_id).exists()
    # A similar name in the volunteer's own community may come up; never community C's.
    assert person_c not in person_search(user=volunteer_a, query=person_c.first_name)
    assert not household_search(user=volunteer_a, query=households["C"].code).exists()
    assert person_c in person_search(user=coordinator, query=person_c.first_name)


def test_a_person_who_moved_is_found_only_where_they_live(
    coordinator, volunteer_a, volunteer_c, households, somjai
):
    membership = somjai.memberships.get()
    membership.end_date = dt.date(2024, 1, 1)
    membership.save()
    somjai.memberships.create(
        household=households["C"], relation="relative", start_date=dt.date(2024, 1, 1)
    )
    assert not person_search(user=volunteer_a, query="สมใจ").exists()
    assert not household_search(user=volunteer_a, query="สมใจ").exists()
    assert list(person_search(user=volunteer_c, query="สมใจ")) == [somjai]
    assert list(household_search(user=volunteer_c, query="สมใจ")) == [households["C"]]


def test_roles_without_people_find_nothing(researcher, agency_officer, households, somjai):
    for user in (researcher, agency_officer):
        assert not person_search(user=user, query="สมใจ").exists()
        assert not household_search(user=user, query=households["A"].code).exists()


# Pages, API and audit -----------------------------------------------------------------------


def test_search_page_lists_people_and_households(login, volunteer_a, households, somjai):
    client = login(volunteer_a)
    page = client.get("/search/", {"q": "สมไจ"})
    assert page.status_code == 200
    assert "สมใจ ศรีสุข" in page.text and households["A"].code in page.text
    assert f"/households/{households['A'].pk}/" in page.text
    assert 'id="header-search"' in page.text
    empty = client.get("/search/", {"q": "ไม่มีชื่อนี้"})
    assert "สมใจ" not in empty.text


def test_researcher_gets_404_and_no_search_box(login, researcher, households):
    client = login(researcher)
    assert client.get("/search/", {"q": "สมชาย"}).status_code == 404
    assert 'id="header-search"' not in client.get("/account/").text


def test_community_page_finds_households_by_member_name(login, volunteer_a, households, somjai):
    client = login(volunteer_a)
    community = households["A"].community_id
    page = client.get(f"/communities/{community}/", {"q": "สมใจ"})
    assert page.status_code == 200 and households["A"].code in page.text
    assert "No households yet" not in page.text


def test_api_people_q_is_scoped_and_ranked(login, volunteer_a, coordinator, households, somjai):
    _add(coordinator, households["A"], 31, first_name="สมใจดี", last_name="มาก")
    client = login(volunteer_a)
    body = client.get("/api/people/", {"q": "สมใจ"}).json()
    assert [r["id"] for r in body["results"]][0] == somjai.pk
    assert body["count"] == 2
    person_c = households["C"].memberships.get().person
    miss = client.get("/api/people/", {"q": person_c.national_id}).json()
    assert miss["count"] == 0


def test_searches_are_audited_without_id_or_phone_in_clear(login, coordinator, households, somjai):
    nid = households["B"].memberships.get().person.national_id
    client = login(coordinator)
    before = AuditEvent.objects.count()
    client.get("/search/", {"q": PHONE})
    client.get("/search/", {"q": nid})
    client.get("/search/", {"q": "081-234-5678"})
    client.get(f"/communities/{households['A'].community_id}/", {"q": PHONE})
    client.get("/api/people/", {"q": nid})
    client.get("/search/", {"q": "สมใจ"})
    rows = list(AuditEvent.objects.order_by("pk")[before:].values())
    searches = [r for r in rows if r["changes"].get("search")]
    assert len(searches) == 6
    assert searches[0]["changes"] == {
        "search": "search page",
        "query": "xxxxxxx678",
        "people": 1,
        "households": 1,
    }
    assert searches[-1]["changes"]["query"] == "สมใจ"
    stored = " ".join(str(v) for row in rows for v in row.values())
    assert PHONE not in stored and nid not in stored and "5678" not in stored
    assert "x-xxxx-xxxxx-" in stored


def test_erasure_removes_the_search_keys(coordinator, somjai):
    from ppaos.privacy.services import person_anonymise

    person_anonymise(actor=coordinator, person=somjai)
    assert not person_search(user=coordinator, query="สมใจ").exists()
    assert not person_search(user=coordinator, query=PHONE).exists()


def test_demo_people_carry_their_search_keys(geography):
    from django.core.management import call_command

    call_command("demo-data", "--seed", "7", "--households", "20", "--no-users")
    people = list(Person.objects.all())
    assert people and all(
        p.search_name == search_keys.normalize_name(p.first_name, p.last_name) for p in people
    )
    assert all(p.phone_hash == search_keys.phone_hash(p.phone) for p in people)
    assert any(p.phone_hash for p in people)


def test_rotating_the_hash_key_rehashes_phones(coordinator, somjai):
    import base64

    from django.core.management import call_command
    from django.test import override_settings

    from ppaos.registry import id_crypto

    dev = base64.urlsafe_b64encode(id_crypto._derived(id_crypto._DEV_ENCRYPTION_SALT)).decode()
    with override_settings(ID_KEYS=[dev], ID_HASH_KEY="n" * 40):
        call_command("rotate-id-keys", verbosity=0)
        assert list(person_search(user=coordinator, query=PHONE)) == [somjai]
        assert Person.objects.get(pk=somjai.pk).phone_hash == search_keys.phone_hash(PHONE)
