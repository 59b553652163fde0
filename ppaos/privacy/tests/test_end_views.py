"""Withdrawing a consent and releasing a legal hold through the pages: done once, refused
the second time with the service's reason, back to the person's page both times."""

from django.contrib.messages import get_messages
from django.utils import translation

from ppaos.privacy import services
from ppaos.privacy.models import LegalHold


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _thai(text: str) -> str:
    with translation.override("th"):
        return translation.gettext(text)


def test_withdraw_then_withdraw_again_is_refused(login, coordinator, head_a):
    consent = services.consent_record(
        actor=coordinator,
        person=head_a,
        purpose="registry",
        lawful_basis="consent",
        given_by="สมชาย ใจดี",
    )
    client = login(coordinator)
    first = client.post(f"/privacy/consents/{consent.pk}/withdraw/")
    assert first.status_code == 302 and first.url == f"/privacy/people/{head_a.pk}/"
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == coordinator
    again = client.post(f"/privacy/consents/{consent.pk}/withdraw/")
    assert again.status_code == 302 and again.url == f"/privacy/people/{head_a.pk}/"
    assert _messages(again)[-1] == _thai("This consent was already withdrawn.")


def test_release_then_release_again_is_refused(login, coordinator, head_a):
    hold = services.hold_place(actor=coordinator, person=head_a, reason="ตรวจสอบ")
    client = login(coordinator)
    first = client.post(f"/privacy/holds/{hold.pk}/release/")
    assert first.status_code == 302 and first.url == f"/privacy/people/{head_a.pk}/"
    hold = LegalHold.objects.get(pk=hold.pk)
    assert hold.released_at is not None and hold.released_by == coordinator
    again = client.post(f"/privacy/holds/{hold.pk}/release/")
    assert again.status_code == 302
    assert _messages(again)[-1] == _thai("This legal hold was already released.")
