"""Out-of-scope access by URL: every page that takes an id answers 404 to a user whose scope
does not hold the object, for GET and POST alike, and leaves no trace but the refusal.

The pages come from walking ppaos.urls, so a new page with an id in these apps fails
`test_every_page_with_an_id_has_a_case` until someone says who must not reach it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ppaos.assessment.models import IndicatorSet
from ppaos.audit.models import AuditEvent
from ppaos.privacy.models import ConsentRecord, DataSubjectRequest, LegalHold
from ppaos.referrals.models import (
    HouseholdPlan,
    PlanIntervention,
    PlanVisit,
    Referral,
    ReferralEvent,
    Service,
    ServiceRule,
)
from ppaos.registry.models import Household, Person
from ppaos.targeting.models import Job, LinkCandidate, Visit

pytestmark = pytest.mark.django_db

# Apps whose every page with an id is listed below.
SCOPED_NAMESPACES = {
    "registry",
    "targeting",
    "areas",
    "audit",
    "privacy",
    "livelihoods",
    "exports",
    "community",
    "dashboards",
    "referrals",
    "assessment",
}


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
# Household pages of the other apps (the API ...): a volunteer of community A asking for
# household B must get 404 there too.
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


def LIVELIHOOD(name: str, key: str | None = None):  # noqa: N802 (reads like the constants)
    """kwargs of a livelihoods object made on first use (livelihoods/tests/factories.py)."""
    from ppaos.livelihoods.tests.factories import livelihood_city

    def kwargs(c):
        value = livelihood_city(c)[name]
        return {"pk": (value[key] if key else value).pk}

    return kwargs


def LIVELIHOOD_C(related: str):  # noqa: N802 (reads like the constants)
    """kwargs of the first stage or partner of programme "SEC-C" (community C only)."""
    from ppaos.livelihoods.tests.factories import livelihood_city

    return lambda c: {"pk": getattr(livelihood_city(c)["programme_c"], related).first().pk}


LIVELIHOOD_MANAGERS_NOT = ["volunteer_a", "leader_a", "researcher", "agency_officer"]


def EXPORT_JOB(c):  # noqa: N802 (reads like the constants)
    """A finished export of the coordinator's (the owner of the city's import job)."""
    from ppaos.exports.models import ExportJob

    if "export_job" not in c:
        c["export_job"] = ExportJob.objects.create(
            created_by=c["job"].created_by, spec="households", fmt="csv", status="done"
        )
    return {"pk": c["export_job"].pk}


def COMMUNITY_C(name: str):  # noqa: N802 (reads like the constants)
    """kwargs of a community-app object in community C (community/tests/factories.py)."""
    from ppaos.community.tests.factories import community_city

    return lambda c: {"pk": community_city(c)[name].pk}


def REFERRALS(name: str):  # noqa: N802 (reads like the constants)
    """kwargs of a referrals-app object made on first use: a service given by an agency that is
    not the test agency officer's, a sent referral of household C's head to it, and an open
    development plan of household C with one intervention."""

    def kwargs(c):
        made = _referrals_city(c)
        return {"pk": made[name].pk} if name != "service" else {"code": made[name].code}

    return kwargs


def _referrals_city(c) -> dict:
    if "referrals_city" in c:
        return c["referrals_city"]
    from ppaos.accounts.models import Organisation
    from ppaos.referrals import services as referrals
    from ppaos.referrals.models import Service

    actor = c["job"].created_by  # the province's coordinator
    household, person = c["households"]["C"], c["people"]["C"]
    agency = Organisation.objects.create(name_th="หน่วยงานอื่น", kind="government_agency")
    service = Service.objects.create(
        code="scope_test", name_th="บริการทดสอบ", category="welfare", provider=agency
    )
    referral = referrals.referral_create(
        actor=actor,
        household=household,
        person=person,
        service=service,
        consent_given=True,
        consent_by=person.full_name,
    )
    referrals.referral_send(actor=actor, referral=referral)
    plan = referrals.plan_open(actor=actor, household=household, responsible=actor)
    intervention = referrals.plan_intervention_add(
        actor=actor, plan=plan, description="ขึ้นทะเบียน", service=service, person=person
    )
    c["referrals_city"] = {
        "service": service,
        "referral": referral,
        "plan": plan,
        "intervention": intervention,
    }
    return c["referrals_city"]


def INDICATOR_SET(c):  # noqa: N802 (reads like the constants)
    from ppaos.assessment.selectors import indicator_set_active

    return {"pk": indicator_set_active().pk}


# Everyone but coordinators and admins (MANAGE_CITY, not by area): the catalogue's editors.
NOT_CATALOGUE_EDITORS = [
    "volunteer_a",
    "volunteer_c",
    "leader_a",
    "district_officer",
    "researcher",
    "agency_officer",
]
# Household C's referral: neither its area (view) nor its receiving agency.
REFERRAL_OUTSIDERS_C = [
    "volunteer_a",
    "leader_a",
    "district_officer",
    "researcher",
    "agency_officer",
]

COMMUNITY_B = _pk(lambda c: c["communities"]["B"])
FUND_OUTSIDERS_C = ["district_officer", "leader_a", "volunteer_a", "researcher", "agency_officer"]

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
    # The offline app's worklist data and new-household page: the volunteer's campaigns only.
    "targeting:worklist_data": [
        (CAMPAIGN_C, ["volunteer_a"]),
        (CAMPAIGN_A, ["volunteer_c", "leader_a"]),
    ],
    "targeting:household_new": [
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
    # Verification review and the exclusion sample: managers of the campaign's area only.
    "targeting:verification": [(CAMPAIGN_C, ["volunteer_a", "district_officer", "volunteer_c"])],
    "targeting:sample": [(CAMPAIGN_C, ["volunteer_a", "district_officer", "volunteer_c"])],
    "targeting:verification_decide": [
        (
            lambda c: {"pk": c["campaign_c"].pk, "visit_pk": c["visit_c"].pk},
            ["volunteer_a", "district_officer"],
        )
    ],
    "targeting:record": [
        (_pk(lambda c: c["records"]["C"]), ["volunteer_a", "district_officer", "researcher"])
    ],
    # Exports: a job is its owner's alone; lists answer 404 to roles without the list.
    "exports:job": [(EXPORT_JOB, ["district_officer", "volunteer_a", "researcher"])],
    "exports:download": [(EXPORT_JOB, ["district_officer", "volunteer_a", "agency_officer"])],
    "exports:list": [
        (lambda c: {"name": "audit-log", "fmt": "csv"}, ["district_officer", "researcher"]),
        (lambda c: {"name": "referrals", "fmt": "xlsx"}, ["volunteer_a", "leader_a"]),
        (lambda c: {"name": "target-records", "fmt": "csv"}, ["agency_officer"]),
    ],
    # Community: the data book needs counts over the community; corrections its people;
    # the fund its leader or district office. The public page is public by design.
    "community:databook": [
        (COMMUNITY_B, ["leader_a", "volunteer_a", "agency_officer"]),
        (_pk(lambda c: c["communities"]["C"]), ["district_officer"]),
    ],
    "community:databook_pdf": [
        (COMMUNITY_B, ["leader_a", "volunteer_a", "agency_officer"]),
        (_pk(lambda c: c["communities"]["C"]), ["district_officer"]),
    ],
    "community:corrections": [
        (COMMUNITY_B, ["leader_a", "volunteer_a", "agency_officer"]),
        (_pk(lambda c: c["communities"]["A"]), ["researcher"]),
    ],
    "community:fund": [
        (COMMUNITY_B, ["leader_a", "volunteer_a", "researcher", "agency_officer"]),
        (_pk(lambda c: c["communities"]["A"]), ["volunteer_a", "researcher"]),
        (_pk(lambda c: c["communities"]["C"]), ["district_officer"]),
    ],
    "community:correction_household": [
        (HOUSEHOLD_B, ["leader_a", "volunteer_a", "researcher", "agency_officer"]),
        (HOUSEHOLD_C, ["district_officer"]),
    ],
    "community:correction_new": [
        (HOUSEHOLD_B, ["leader_a", "volunteer_a", "researcher"]),
        (HOUSEHOLD_C, ["district_officer"]),
    ],
    "community:life_event_new": [
        (HOUSEHOLD_B, ["leader_a", "volunteer_a", "researcher", "agency_officer"]),
        (HOUSEHOLD_C, ["district_officer"]),
    ],
    "community:new_household_new": [
        (COMMUNITY_B, ["leader_a", "volunteer_a", "agency_officer"]),
        (_pk(lambda c: c["communities"]["A"]), ["researcher"]),
    ],
    "community:correction": [(COMMUNITY_C("correction"), FUND_OUTSIDERS_C)],
    "community:fund_year": [(COMMUNITY_C("fund_year"), FUND_OUTSIDERS_C)],
    "community:proposal_new": [(COMMUNITY_C("fund_year"), FUND_OUTSIDERS_C)],
    "community:decision_new": [(COMMUNITY_C("proposal"), FUND_OUTSIDERS_C)],
    "community:expenditure_new": [(COMMUNITY_C("cash_proposal"), FUND_OUTSIDERS_C)],
    "community:procurement_new": [(COMMUNITY_C("proposal"), FUND_OUTSIDERS_C)],
    "community:procurement": [(COMMUNITY_C("procurement"), FUND_OUTSIDERS_C)],
    # A province's fund rule: only coordinators over the whole province.
    "community:fund_rule_edit": [
        (lambda c: {"code": "10"}, ["coordinator_1009", "district_officer", "leader_a"])
    ],
    "community:receipt": [(COMMUNITY_C("expenditure"), FUND_OUTSIDERS_C)],
    "community:public": [(COMMUNITY_B, [])],
    "privacy:person": [(PERSON_A, PRIVACY_OUTSIDERS)],
    "privacy:export_json": [(PERSON_A, PRIVACY_OUTSIDERS)],
    "privacy:export_pdf": [(PERSON_A, PRIVACY_OUTSIDERS)],
    "privacy:consent_withdraw": [(_pk(lambda c: c["consent_a"]), PRIVACY_OUTSIDERS)],
    "privacy:request_close": [(_pk(lambda c: c["request_a"]), PRIVACY_OUTSIDERS)],
    "privacy:hold_release": [(_pk(lambda c: c["hold_a"]), PRIVACY_OUTSIDERS)],
    # Livelihoods: programme "SEC" spans A, B and C; "SEC-C" only C (factories.livelihood_city).
    "livelihoods:programme": [
        (LIVELIHOOD("programme_c"), ["volunteer_a", "leader_a", "district_officer"]),
        (LIVELIHOOD("programme"), ["agency_officer"]),
    ],
    "livelihoods:enrol": [
        (LIVELIHOOD("programme_c"), ["volunteer_a", "district_officer"]),
        (LIVELIHOOD("programme"), ["leader_a", "researcher", "agency_officer"]),
    ],
    "livelihoods:programme_mobility": [
        (LIVELIHOOD("programme_c"), ["volunteer_a", "district_officer", "agency_officer"])
    ],
    "livelihoods:enrolment": [
        (LIVELIHOOD("enrolments", "B"), ["volunteer_a", "leader_a", "agency_officer"]),
        (LIVELIHOOD("enrolments", "A"), ["researcher"]),
        (LIVELIHOOD("enrolments", "C"), ["district_officer"]),
    ],
    "livelihoods:income_edit": [
        (LIVELIHOOD("incomes", "B"), ["volunteer_a"]),
        (LIVELIHOOD("incomes", "A"), ["leader_a", "researcher"]),
        (LIVELIHOOD("incomes", "C"), ["district_officer"]),
    ],
    # Managing programmes: MANAGE_TARGETING over one of the programme's communities.
    "livelihoods:programme_edit": [
        (LIVELIHOOD("programme_c"), ["district_officer", "volunteer_a"]),
        (LIVELIHOOD("programme"), LIVELIHOOD_MANAGERS_NOT),
    ],
    "livelihoods:stage_add": [
        (LIVELIHOOD("programme_c"), ["district_officer"]),
        (LIVELIHOOD("programme"), LIVELIHOOD_MANAGERS_NOT),
    ],
    "livelihoods:stage_edit": [
        (LIVELIHOOD_C("stages"), ["district_officer", *LIVELIHOOD_MANAGERS_NOT])
    ],
    "livelihoods:partner_add": [
        (LIVELIHOOD("programme_c"), ["district_officer"]),
        (LIVELIHOOD("programme"), LIVELIHOOD_MANAGERS_NOT),
    ],
    "livelihoods:partner_edit": [
        (LIVELIHOOD_C("partners"), ["district_officer", *LIVELIHOOD_MANAGERS_NOT])
    ],
    "livelihoods:enrolment_edit": [
        (LIVELIHOOD("enrolments", "A"), ["coordinator_1009", *LIVELIHOOD_MANAGERS_NOT]),
        (LIVELIHOOD("enrolments", "C"), ["district_officer"]),
    ],
    "livelihoods:mobility_province": [(lambda c: {"code": "10"}, ["agency_officer"])],
    "livelihoods:mobility_district": [
        (lambda c: {"code": "1009"}, ["volunteer_a", "district_officer"])
    ],
    "livelihoods:mobility_community": [
        (_pk(lambda c: c["communities"]["B"]), ["volunteer_a", "leader_a", "agency_officer"]),
        (_pk(lambda c: c["communities"]["C"]), ["district_officer"]),
    ],
    "dashboards:district": [(lambda c: {"code": "1009"}, ["volunteer_a", "district_officer"])],
    "dashboards:community": [
        (_pk(lambda c: c["communities"]["B"]), ["volunteer_a", "leader_a", "agency_officer"]),
        (_pk(lambda c: c["communities"]["C"]), ["district_officer"]),
    ],
    # A refresh is seen only by the coordinator who started it.
    "dashboards:refresh": [
        (_pk(lambda c: _refresh_of(c["job"].created_by)), ["coordinator_1009", "volunteer_a"])
    ],
    # Referrals. The service catalogue is public to every signed-in role; editing it is for
    # the catalogue's editors.
    "referrals:service": [(REFERRALS("service"), [])],
    "referrals:service_edit": [(REFERRALS("service"), NOT_CATALOGUE_EDITORS)],
    "referrals:rule_add": [(REFERRALS("service"), NOT_CATALOGUE_EDITORS)],
    "referrals:detail": [(REFERRALS("referral"), REFERRAL_OUTSIDERS_C)],
    "referrals:letter": [(REFERRALS("referral"), REFERRAL_OUTSIDERS_C)],
    # Acting needs the managing scope too: community C's volunteer sees the referral only.
    "referrals:act": [
        (
            lambda c: REFERRALS("referral")(c) | {"action": "comment"},
            [*REFERRAL_OUTSIDERS_C, "volunteer_c"],
        )
    ],
    # Referring: a household of the managed area, and a current member of that household.
    "referrals:new": [
        (
            lambda c: {
                "household_pk": c["households"]["C"].pk,
                "person_pk": c["people"]["C"].pk,
                "service_code": REFERRALS("service")(c)["code"],
            },
            [*REFERRAL_OUTSIDERS_C, "volunteer_c"],
        ),
        (
            lambda c: {
                "household_pk": c["households"]["A"].pk,
                "person_pk": c["people"]["C"].pk,
                "service_code": REFERRALS("service")(c)["code"],
            },
            ["district_officer"],
        ),
    ],
    "referrals:household": [
        (HOUSEHOLD_B, ["volunteer_a", "leader_a", "researcher", "agency_officer"]),
        (HOUSEHOLD_C, ["district_officer"]),
    ],
    "referrals:household_card": [
        (HOUSEHOLD_B, ["volunteer_a", "leader_a", "researcher", "agency_officer"]),
        (HOUSEHOLD_C, ["district_officer"]),
    ],
    "referrals:refer_pick": [
        (HOUSEHOLD_B, ["volunteer_a", "leader_a", "researcher", "agency_officer"]),
        (HOUSEHOLD_C, ["district_officer", "volunteer_c"]),
    ],
    # Plans follow the registry: seeing the household reads its plan, editing it changes it.
    "referrals:plan_open": [
        (HOUSEHOLD_B, ["volunteer_a", "leader_a", "researcher", "agency_officer"]),
        (HOUSEHOLD_C, ["district_officer"]),
        (HOUSEHOLD_A, ["leader_a"]),
    ],
    "referrals:plan_change": [
        (lambda c: REFERRALS("plan")(c) | {"what": "visit"}, REFERRAL_OUTSIDERS_C)
    ],
    "referrals:intervention_status": [(REFERRALS("intervention"), REFERRAL_OUTSIDERS_C)],
    # Assessment: the household's profile like the household page; the analysis like the area
    # pages; indicator-set versions for coordinators only.
    "assessment:household": [
        (HOUSEHOLD_B, ["volunteer_a", "leader_a", "researcher", "agency_officer"]),
        (HOUSEHOLD_C, ["district_officer"]),
    ],
    "assessment:province": [(lambda c: {"code": "10"}, ["agency_officer"])],
    "assessment:district": [
        (lambda c: {"code": "1009"}, ["volunteer_a", "leader_a", "district_officer"])
    ],
    "assessment:community": [
        (COMMUNITY_B, ["volunteer_a", "leader_a", "agency_officer"]),
        (_pk(lambda c: c["communities"]["C"]), ["district_officer"]),
    ],
    "assessment:indicator_set": [(INDICATOR_SET, NOT_CATALOGUE_EDITORS)],
}


def _refresh_of(user):
    from ppaos.dashboards.models import Refresh

    return Refresh.objects.get_or_create(created_by=user)[0]


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
        list(Referral.objects.order_by("pk").values_list("pk", "version", "status")),
        ReferralEvent.objects.count(),
        list(HouseholdPlan.objects.order_by("pk").values_list("pk", "version", "status")),
        list(PlanIntervention.objects.order_by("pk").values_list("pk", "status")),
        PlanVisit.objects.count(),
        list(Service.objects.order_by("pk").values_list("pk", "name_th", "is_active")),
        ServiceRule.objects.count(),
        IndicatorSet.objects.count(),
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
    # Objects made on first use are made before the state is taken.
    cases = [(kwargs(city), users) for kwargs, users in CASES[name]]
    before = _state()
    seen = AuditEvent.objects.filter(action__in=["view", "export"]).count()
    for kwargs, users in cases:
        url = reverse(name, kwargs=kwargs)
        missing_url = reverse(name, kwargs=_missing(kwargs))
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
