from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ppaos.audit.models import AuditEvent
from ppaos.lib.thaidigits import normalise_id, to_ascii_digits


def audit_search(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    record: str = "",
    ip_address: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    """Audit rows matching every given filter, newest first."""
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor_username__icontains=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if record:
        events = events.filter(record_q(record))
    if ip_address:
        events = events.filter(ip_address=ip_address)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events


def object_type_choices() -> list[tuple[str, str]]:
    """Every record type the log holds, named as the reader's language names the model."""
    types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    choices = []
    for value in types:
        if value == "export":
            choices.append((value, _("export")))
            continue
        try:
            model = apps.get_model(value)
        except (LookupError, ValueError):
            choices.append((value, value))
        else:
            choices.append((value, str(model._meta.verbose_name)))
    return sorted(choices, key=lambda choice: choice[1])


def record_q(text: str) -> Q:
    """Events about the record a person typed: a household code (the household and its
    members), a national ID (matched by its keyed hash, never in clear), a person's name, or
    the internal record number. Thai digits are read as 0–9."""
    from ppaos.registry.id_crypto import lookup_hash
    from ppaos.registry.models import Household, Membership, Person

    text = " ".join(text.split())
    digits = normalise_id(text)
    query = Q(pk__in=[])
    household = Household.objects.filter(code__iexact=to_ascii_digits(text)).first()
    if household is None and digits.isdigit() and len(digits) == 13:  # a national ID
        people = list(
            Person.objects.filter(national_id_hash=lookup_hash(digits)).values_list("pk", flat=True)
        )
        return Q(object_type="registry.person", object_id__in=[str(pk) for pk in people])
    if digits.isdigit() and household is None:  # the internal record number
        query |= Q(object_id=digits)
    if household is not None:
        members = Membership.objects.filter(household=household).values_list("person_id", flat=True)
        query |= Q(object_type="registry.household", object_id=str(household.pk))
        query |= Q(object_type="registry.person", object_id__in=[str(pk) for pk in members])
    if not digits.isdigit():
        query |= Q(object_label__icontains=text)
    return query
