"""Tags for the household page include: `{% household_targets household as records %}` and
`{% household_visit_campaigns household as campaigns %}`."""

from django import template

from ppaos.targeting.models import Campaign, LinkStatus
from ppaos.targeting.records import RecordFacts, household_target_records
from ppaos.targeting.selectors import household_visit_campaigns as _visit_campaigns
from ppaos.targeting.submissions import STATUS_LABELS

register = template.Library()


@register.filter
def submission_status(status: str) -> str:
    """The label of an offline-import row's status ("created", "conflict", ...)."""
    return str(STATUS_LABELS.get(status, status))


@register.filter
def link_band(band: str) -> str:
    """The label of a linkage band in a job's summary ("auto" → "Linked automatically")."""
    try:
        return str(LinkStatus(band).label)
    except ValueError:
        return band


@register.simple_tag
def household_targets(household) -> list[RecordFacts]:
    return household_target_records(household=household)


@register.simple_tag(takes_context=True)
def household_visit_campaigns(context, household) -> list[Campaign]:
    """Open campaigns in which the viewer is assigned the household's community: each gets a
    "record visit" link, so a household added during a campaign can be visited at once."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return _visit_campaigns(user=user, household=household)
