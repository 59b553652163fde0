"""Commands: load-services, eligibility (the excluded, as a batch), demo-referrals."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ppaos.audit.models import AuditEvent


@pytest.mark.django_db
def test_eligibility_lists_the_excluded_with_reasons(households, elder, old_age):
    out = StringIO()
    call_command("eligibility", area="1008", on="15/01/2569", language="en", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split("\t") == [
        households["A"].code,
        "นางบุญมา ใจดี",
        elder.masked_id,
        "old_age_allowance",
        "age 67 ≥ 60, Thai nationality, not receiving",
        "600 baht",
    ]
    assert elder.national_id not in out.getvalue()
    assert lines[-1] == (
        "old_age_allowance: 1 eligible but not receiving (eligible 1, receiving 0, unknown 0)"
    )
    assert AuditEvent.objects.filter(action="export", object_id="1").exists()
    out = StringIO()
    call_command("eligibility", area="1009", on="2026-01-15", language="en", stdout=out)
    assert out.getvalue().splitlines() == [
        "old_age_allowance: 0 eligible but not receiving (eligible 0, receiving 0, unknown 0)"
    ]


@pytest.mark.django_db
def test_eligibility_csv_and_errors(households, elder, old_age):
    out, err = StringIO(), StringIO()
    call_command("eligibility", "--csv", on="2026-01-15", language="en", stdout=out, stderr=err)
    rows = out.getvalue().splitlines()
    assert rows[0] == "household,person,national_id,service,reasons,amount_baht"
    assert rows[1].endswith(',old_age_allowance,"age 67 ≥ 60, Thai nationality, not receiving",600')
    assert "1 eligible but not receiving" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("eligibility", service="nope", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("eligibility", on="31/02/2569", stdout=StringIO())


@pytest.mark.django_db
def test_load_services_command(geography):
    out = StringIO()
    call_command("load-services", stdout=out)
    assert "13 new services, 0 updated, 15 new rule versions" in out.getvalue()
    out = StringIO()
    call_command("load-services", stdout=out)
    assert "0 new services, 0 updated, 0 new rule versions, 15 kept" in out.getvalue()
