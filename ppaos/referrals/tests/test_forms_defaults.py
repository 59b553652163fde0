from ppaos.referrals.forms import PlanVisitForm


def test_follow_up_progress_has_no_default_and_is_required():
    form = PlanVisitForm()
    assert form.fields["progress"].required
    assert form.fields["progress"].choices[0][0] == ""
    assert 'value="" selected' in str(form["progress"])
    posted = PlanVisitForm({"visited_on": "10/01/2569", "progress": ""})
    assert not posted.is_valid() and "progress" in posted.errors


def test_a_service_without_any_rule_version_has_a_page(db, login, coordinator):
    """A service just added to the catalogue (no rule yet) shows its page, not a 500."""
    from ppaos.referrals.models import Service

    Service.objects.create(
        code="id_card",
        name_th="ทำบัตรประชาชน",
        category="documents",
        provider_is_district_office=True,
    )
    assert login(coordinator).get("/referrals/services/id_card/").status_code == 200
