"""Syncing what a volunteer recorded offline in the web app (ppaos/static/ppaos/pwa/).

The phone keeps a queue of records, each with a UUID made on the phone, and posts it here
when it is back online. Each record is checked with the same form as the web page and saved
through the same services as the web form and the ODK/Kobo import, so scope, consent, the
base-version conflict check and the audit trail are the same:

- a visit goes through `services.visit_record` with `submission_id` "pwa:<uuid>": made
  against an older household version it is kept as a conflict for review, never applied;
- a new household (with its head and other members) goes through the registry services
  `household_create` and `person_add_to_household`; the sync itself is audited on the new
  household with the phone's UUID, which is how a replayed record is recognised.

Replaying a batch creates nothing twice. Each record is its own transaction: one bad record
never stops the others. Out-of-scope households and communities are errors, not saved.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from ppaos.accounts.models import User
from ppaos.accounts.scope import EDIT_PEOPLE, VIEW_PEOPLE, scope_for
from ppaos.assessment.selectors import indicator_set_active
from ppaos.audit.models import Action, AuditEvent
from ppaos.audit.services import audit_record
from ppaos.registry import services as registry_services
from ppaos.registry.forms import HouseholdForm, NewMemberForm
from ppaos.registry.models import Relation
from ppaos.targeting import access, services
from ppaos.targeting.forms import VisitForm
from ppaos.targeting.models import CampaignAssignment, Visit

SAVED = "saved"
CONFLICT = "conflict"
ERROR = "error"
SOURCE = "pwa"
MAX_ITEMS = 200
MAX_MEMBERS = 30
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LEDGER_LABEL = "offline sync {uuid}"


@dataclass
class SyncResult:
    id: str
    status: str
    message: str = ""
    replayed: bool = False
    object_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "message": self.message,
            "replayed": self.replayed,
            "object_id": self.object_id,
        }


class ItemError(ValueError):
    """A record that cannot be saved; the message is shown on the phone."""


def sync_batch(*, user: User, items: list) -> list[SyncResult]:
    """Save each queued record; one result per record, in order."""
    results = []
    for item in items[:MAX_ITEMS]:
        uuid = str(item.get("id", "")).lower() if isinstance(item, dict) else ""
        result = SyncResult(id=uuid, status=ERROR)
        results.append(result)
        try:
            if not UUID.match(uuid):
                raise ItemError(_("The record has no valid id."))
            kind = item.get("kind")
            with transaction.atomic():
                if kind == "visit":
                    _sync_visit(user, item, uuid, result)
                elif kind == "household":
                    _sync_household(user, item, uuid, result)
                else:
                    raise ItemError(_("Unknown kind of record."))
        except ItemError as e:
            result.status, result.message = ERROR, str(e)
        except ValidationError as e:
            result.status, result.message = ERROR, "; ".join(e.messages)
        except Http404:
            result.status = ERROR
            result.message = _("This household or community is not in your work.")
    for item in items[MAX_ITEMS:]:
        uuid = str(item.get("id", "")) if isinstance(item, dict) else ""
        results.append(SyncResult(id=uuid, status=ERROR, message=_("Too many records at once.")))
    return results


def _data(fields, prefix: str = "") -> QueryDict:
    """The form's [name, value] pairs as the QueryDict a POST would give."""
    data = QueryDict(mutable=True)
    if not isinstance(fields, list):
        raise ItemError(_("The record's answers cannot be read."))
    for pair in fields:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ItemError(_("The record's answers cannot be read."))
        name, value = str(pair[0]), str(pair[1])
        if prefix and not name.startswith(prefix):
            continue
        data.appendlist(name, value)
    return data


def _form_errors(form) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for name, errors in form.errors.items()
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not a number") from None


def _sync_visit(user, item, uuid, result) -> None:
    submission_id = f"pwa:{uuid}"
    earlier = Visit.objects.filter(submission_id=submission_id).first()
    if earlier is not None:
        if earlier.volunteer_id != user.pk:
            raise ItemError(_("This record id was already used."))
        result.replayed, result.object_id = True, earlier.pk
        result.status = CONFLICT if earlier.status == Visit.Status.CONFLICT else SAVED
        return
    campaign = access.campaign_for_volunteer(user=user, pk=_int(item.get("campaign")))
    household = access.household_for_visit(
        user=user, campaign=campaign, pk=_int(item.get("household"))
    )
    sees_people = scope_for(user).can(VIEW_PEOPLE)
    form = VisitForm(
        _data(item.get("fields")),
        indicator_set=indicator_set_active(),
        household=household if sees_people else None,
    )
    if not form.is_valid():
        raise ItemError(_form_errors(form))
    data = form.cleaned_data
    visit = services.visit_record(
        campaign=campaign,
        household=household,
        volunteer=user,
        outcome=data["outcome"],
        visited_on=data["visited_on"],
        consent_given=data["consent_given"],
        consent_by=data["consent_by"],
        consent_purpose=data["consent_purpose"],
        notes=data["notes"],
        # Without a base version the visit cannot be checked against the registry: review it.
        base_version=data["base_version"] if data["base_version"] is not None else 0,
        source=SOURCE,
        submission_id=submission_id,
        payload={"offline_id": uuid, "saved_on_phone_at": str(item.get("saved_at", ""))[:40]},
        **form.survey(),
    )
    result.object_id = visit.pk
    if visit.status == Visit.Status.CONFLICT:
        result.status = CONFLICT
        result.message = _(
            "Household %(code)s changed after this visit was started (version %(base)s, now "
            "%(now)s): the visit is kept for review and the registry is unchanged."
        ) % {"code": household.code, "base": visit.base_version, "now": household.version}
    else:
        result.status = SAVED
        result.message = _("Visit to %(code)s saved.") % {"code": household.code}


def _sync_household(user, item, uuid, result) -> None:
    label = LEDGER_LABEL.format(uuid=uuid)
    # One sync of a user at a time, so a batch replayed twice at once cannot create twice.
    User.objects.select_for_update().filter(pk=user.pk).first()
    earlier = AuditEvent.objects.filter(
        object_type="registry.household", object_label=label
    ).first()
    if earlier is not None:
        if earlier.actor_id != user.pk:
            raise ItemError(_("This record id was already used."))
        result.status, result.replayed = SAVED, True
        result.object_id = int(earlier.object_id)
        return
    campaign = access.campaign_for_volunteer(user=user, pk=_int(item.get("campaign")))
    assignment = (
        CampaignAssignment.objects.filter(
            campaign=campaign, volunteer=user, community_id=_int(item.get("community"))
        )
        .select_related("community")
        .first()
    )
    if assignment is None or not scope_for(user).area(EDIT_PEOPLE).contains_community(
        assignment.community
    ):
        raise Http404("Community not assigned")
    household_form = HouseholdForm(_data(item.get("fields")))
    if not household_form.is_valid():
        raise ItemError(_form_errors(household_form))
    members = item.get("members") or []
    if not isinstance(members, list) or len(members) > MAX_MEMBERS:
        raise ItemError(_("The record's answers cannot be read."))
    member_forms = []
    for fields in members:
        form = NewMemberForm(_data(fields))
        if not form.is_valid():
            name = " ".join(filter(None, (form.data.get("first_name"), form.data.get("last_name"))))
            raise ItemError(
                _("%(name)s: %(errors)s") % {"name": name, "errors": _form_errors(form)}
                if name
                else _form_errors(form)
            )
        member_forms.append(form)
    household = registry_services.household_create(
        actor=user, community=assignment.community, data=household_form.cleaned_data
    )
    for form in sorted(member_forms, key=lambda f: f.cleaned_data["relation"] != Relation.HEAD):
        data = dict(form.cleaned_data)
        relation = data.pop("relation")
        registry_services.person_add_to_household(
            actor=user, household=household, data=data, relation=relation
        )
    audit_record(
        actor=user,
        action=Action.CREATE,
        obj=household,
        label=label,
        changes={"offline_sync": [None, uuid], "members": [None, len(member_forms)]},
    )
    result.status, result.object_id = SAVED, household.pk
    result.message = _("Household %(code)s added.") % {"code": household.code}
