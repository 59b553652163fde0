"""Keep a community's figures in step with review decisions made in targeting.

A decision changes a household's reviewed status, hence the dashboards' inclusion and
exclusion figures, without any survey being saved. Targeting may not import the dashboards
(they sit above it), so the dashboards listen for the saved decision and ask for the same
coalesced incremental refresh a saved survey asks for, once the decision is committed."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from ppaos.targeting.models import VerificationReview


@receiver(post_save, sender=VerificationReview, dispatch_uid="dashboards-review-decided")
def review_decided(sender, instance: VerificationReview, created: bool, **kwargs) -> None:
    """Schedule the incremental refresh of the decided household's community."""
    if kwargs.get("raw"):  # fixtures being loaded
        return
    from ppaos.dashboards.services import refresh_schedule_community

    community_id = instance.visit.household.community_id
    transaction.on_commit(partial(refresh_schedule_community, community_id=community_id))
