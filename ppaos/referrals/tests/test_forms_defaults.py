from ppaos.referrals.forms import PlanVisitForm


def test_follow_up_progress_has_no_default_and_is_required():
    form = PlanVisitForm()
    assert form.fields["progress"].required
    assert form.fields["progress"].choices[0][0] == ""
    assert 'value="" selected' in str(form["progress"])
    posted = PlanVisitForm({"visited_on": "10/01/2569", "progress": ""})
    assert not posted.is_valid() and "progress" in posted.errors
