"""Out-of-scope access by URL: every page that takes an id answers 404 to a user whose scope
does not hold the object, for GET and POST alike, and leaves no trace but the refusal.

The pages come from walking ppaos.urls, so a new page with an id in these apps fails
`test_every_page_with_an_id_has_a_case` until someone says who must not reach it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ppaos.audit.models import AuditEvent
from ppaos.privacy.models import ConsentRecord, DataSubjectRequest, LegalHold
from ppaos.registry.models import Household, Person
from ppaos.targeting.models import Job, LinkCandidate, Visit

pytestmark = pytest.mark.django_db

# Apps whose every page with an id is listed below.
SCOPED_NAMESPACES = {"registry", "targeting", "areas", "audit", "privacy"}


def walk(patterns=None, namespace=None, route=""):
    """(name, route, converter names) for every named URL in the project."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if namespace and entry.namespace:
                inner = f"{namespace}:{entry.namespace}"
            yield from walk(entry.url_patterns, inner, route + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            converters = tuple(getattr(entry.pattern, "converters", {}) or ())
            yield name, route + str(entry.pattern), converters


URLS = list(walk())
ID_PAGES = sorted(
    name
    for name, _route, converters in URLS
    if converters and name.split(":")[0] in SCOPED_NAMESPACES
)
# Household pages of the other apps (assessment, referrals ...): a volunteer of community A
# asking for household B must get 404 there too.
OTHER_HOUSEHOLD_PAGES = sorted(
    name
    for name, route, converters in URLS
    if converters == ("pk",)
    and "households/<int:pk>/" in route
    and name.split(":")[0] not in SCOPED_NAMESPACES
)


def _pk(key):
    return lambda c: {"pk": key(c).pk}


HOUSEHOLD_B = _pk(lambda c: c["households"]["B"])
HOUSEHOLD_A = _pk(lambda c: c["households"]["A"])
HOUSEHOLD_C = _pk(lambda c: c["households"]["C"])
PERSON_A = _pk(lambda c: c["people"]["A"])
PERSON_B = _pk(lambda c: c["people"]["B"])
PERSON_C = _pk(lambda c: c["people"]["C"])
CAMPAIGN_A = _pk(lambda c: c["campaign_a"])
CAMPAIGN_C = _pk(lambda c: c["campaign_c"])
PRIVACY_OUTSIDERS = ["volunteer_a", "leader_a", "district_officer", "coordinator_1009"]

# URL name -> [(kwargs from the city, users who must get 404)]
CASES = {
    "registry:household_create": [
        (lambda c: {"community_pk": c["communities"]["B"].pk}, ["volunteer_a", "researcher"]),
        (lambda c: {"community_pk": c["communities"]["A"].pk}, ["leader_a", "agency_officer"]),
    ],
    "registry:household_detail": [
        (HOUSEHOLD_B, ["volunteer_a", "leader_a", "researcher", "agency_officer"]),
        (HOUSEHOLD_C, ["district_officer"]),
    ],
    "registry:household_edit": [
        (HOUSEHOLD_B, ["volunteer_a"]),
        (HOUSEHOLD_A, ["leader_a", "researcher"]),
    ],
    "registry:member_add": [(HOUSEHOLD_B, ["volunteer_a"]), (HOUSEHOLD_A, ["leader_a"])],
    "registry:person_edit": [
        (PERSON_B, ["volunteer_a"]),
        (PERSON_A, ["leader_a", "researcher"]),
        (PERSON_C, ["district_officer"]),
    ],
    "registry:member_leave": [(PERSON_B, ["volunteer_a"]), (PERSON_A, ["leader_a"])],
    # Household list downloads: outside the community page's scope, and (researchers) any
    # but the pseudonymised form.
    **{
        f"registry:community_{kind}": [
            (_pk(lambda c: c["communities"]["B"]), ["volunteer_a", "leader_a", "agency_officer"]),
            (_pk(lambda c: c["communities"]["C"]), ["district_officer"]),
            (_pk(lambda c: c["communities"]["A"]), ["researcher"]),
        ]
        for kind in ("csv", "xlsx")
    },
    "areas:province": [(lambda c: {"code": "10"}, ["agency_officer"])],
    "areas:district": [(lambda c: {"code": "1009"}, ["volunteer_a", "district_officer"])],
    "areas:subdistrict": [(lambda c: {"code": "100905"}, ["volunteer_a", "district_officer"])],
    "areas:community": [
        (_pk(lambda c: c["communities"]["B"]), ["volunteer_a", "leader_a", "agency_officer"]),
        (_pk(lambda c: c["communities"]["C"]), ["district_officer"]),
    ],
    "targeting:job": [(_pk(lambda c: c["job"]), ["volunteer_a", "district_officer"])],
    "targeting:list": [(_pk(lambda c: c["target_list"]), ["volunteer_a", "researcher"])],
    "targeting:link": [(_pk(lambda c: c["target_list"]), ["volunteer_a", "district_officer"])],
    "targeting:review_pair": [
        (_pk(lambda c: c["candidate_c"]), ["volunteer_a", "district_officer"])
    ],
    "targeting:campaign": [(CAMPAIGN_C, ["volunteer_a", "district_officer", "volunteer_c"])],
    "targeting:report": [(CAMPAIGN_C, ["volunteer_a", "district_officer"])],
    "targeting:worklist": [
        (CAMPAIGN_C, ["volunteer_a"]),
        (CAMPAIGN_A, ["volunteer_c", "leader_a"]),
    ],
    "targeting:visit": [
        (
            lambda c: {"pk": c["campaign_a"].pk, "household_pk": c["households"]["B"].pk},
            ["volunteer_a"],
        ),
        (
            lambda c: {"pk": c["campaign_c"].pk, "household_pk": c["households"]["A"].pk},
            ["volunteer_a"],
        ),
    ],
    "targeting:visit_resolve": [
        (_pk(lambda c: c["visit_c"]), ["district_officer", "volunteer_a", "volunteer_c"])
    ],
    "targeting:xlsform": [(CAMPAIGN_C, ["volunteer_a", "district_officer"])],
    "targeting:submissions": [(CAMPAIGN_C, ["district_officer", "volunteer_c"])],
    "privacy:person": [(PERSON_A, PRIVACY_OUTSIDERS)],
    "privacy:export_json": [(PERSON_A, PRIVACY_OUTSIDERS)],
    "privacy:export_pdf": [(PERSON_A, PRIVACY_OUTSIDERS)],
    "privacy:consent_withdraw": [(_pk(lambda c: c["consent_a"]), PRIVACY_OUTSIDERS)],
    "privacy:request_close": [(_pk(lambda c: c["request_a"]), PRIVACY_OUTSIDERS)],
    "privacy:hold_release": [(_pk(lambda c: c["hold_a"]), PRIVACY_OUTSIDERS)],
}


def test_every_page_with_an_id_has_a_case():
    assert ID_PAGES, "the URL walk found nothing"
    missing = sorted(set(ID_PAGES) - set(CASES))
    assert missing == [], "say who must get 404 on these pages in CASES"
    assert sorted(set(CASES) - set(ID_PAGES)) == [], "CASES names pages that no longer exist"


def _state():
    """Everything an out-of-scope POST could have changed."""
    return (
        list(Household.objects.order_by("pk").values_list("pk", "version", "house_no")),
        list(Person.objects.order_by("pk").values_list("pk", "version", "first_name")),
        list(ConsentRecord.objects.values_list("pk", "withdrawn_at")),
        list(DataSubjectRequest.objects.values_list("pk", "status")),
        list(LegalHold.objects.values_list("pk", "released_at")),
        list(Visit.objects.values_list("pk", "status")),
        list(LinkCandidate.objects.values_list("pk", "decision")),
        Job.objects.count(),
    )


FORM = {
    "house_no": "666",
    "first_name": "x",
    "sex": "M",
    "relation": "child",
    "decision": "accept",
    "keep": "1",
    "status": "rejected",
    "outcome": "x",
    "action": "hold",
    "hold-reason": "x",
    "end_date": "1/1/2569",
    "reason": "moved",
}


def _missing(kwargs: dict) -> dict:
    """The same URL for objects that do not exist."""
    return {k: 999_999 if isinstance(v, int) else "99" for k, v in kwargs.items()}


def _refused(client, url: str, missing_url: str) -> None:
    """404 for GET and POST; a 405 (method not allowed) only where a missing id gets it too,
    so the answer says nothing about the object."""
    for method in ("get", "post"):
        answer = getattr(client, method)(url, FORM).status_code
        if answer == 405:
            assert getattr(client, method)(missing_url, FORM).status_code == 405
        else:
            assert answer == 404, f"{method.upper()} {url}: {answer}"


@pytest.mark.parametrize("name", ID_PAGES)
def test_out_of_scope_id_answers_404(name, city, client, request):
    before = _state()
    seen = AuditEvent.objects.filter(action__in=["view", "export"]).count()
    for kwargs, users in CASES[name]:
        url = reverse(name, kwargs=kwargs(city))
        missing_url = reverse(name, kwargs=_missing(kwargs(city)))
        for username in users:
            client.force_login(request.getfixturevalue(username))
            _refused(client, url, missing_url)
    assert _state() == before, "an out-of-scope request changed something"
    assert AuditEvent.objects.filter(action__in=["view", "export"]).count() == seen


@pytest.mark.parametrize("name", OTHER_HOUSEHOLD_PAGES)
def test_other_apps_household_pages_answer_404_out_of_scope(name, city, client, volunteer_a):
    client.force_login(volunteer_a)
    url = reverse(name, kwargs={"pk": city["households"]["B"].pk})
    before = _state()
    _refused(client, url, reverse(name, kwargs={"pk": 999_999}))
    assert _state() == before
