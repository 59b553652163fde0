"""Writes for benefits a person receives."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.actors import acting_user
from ppaos.referrals.models import (
    Benefit,
    Referral,
    Service,
)
from ppaos.registry.models import Person

# Benefits -----------------------------------------------------------------------------------


def benefit_record(
    *,
    actor,
    person: Person,
    service: Service,
    since: dt.date,
    source: str,
    amount: Decimal | None = None,
    referral: Referral | None = None,
) -> Benefit:
    """Record that a person receives a service's benefit (enrolment)."""
    with transaction.atomic():
        benefit = Benefit.objects.create(
            person=person,
            service=service,
            since=since,
            amount=amount,
            source=source,
            referral=referral,
            created_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=person,
            changes={"benefit": [None, f"{service.code} since {since.isoformat()}"]},
        )
    return benefit


@transaction.atomic
def benefit_end(*, actor, benefit: Benefit, until: dt.date) -> Benefit:
    if until < benefit.since:
        raise ValidationError({"until": _("A benefit cannot end before it started.")})
    benefit.until = until
    benefit.save(update_fields=["until"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=benefit.person,
        changes={"benefit": [benefit.service.code, f"until {until.isoformat()}"]},
    )
    return benefit
