"""The home page: each role lands on what it is here to do next, for its own area.

It lives in dashboards, above every app whose queues it counts, so dependencies keep pointing
downward: accounts gives the base context (`accounts.views.home_context`), and each count is a
scoped selector of the app that owns the queue (referrals, community, targeting, registry).
This module only puts them in a list."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.accounts.scope import (
    ANSWER_REFERRALS,
    LEAD_COMMUNITY,
    MANAGE_TARGETING,
    RECORD_VISITS,
    REVIEW_DUPLICATE_IDS,
    VIEW_COUNTS,
    scope_for,
)
from ppaos.accounts.views import home_context
from ppaos.audit.services import audit_list_view
from ppaos.community import selectors as community
from ppaos.dashboards.area_counts import counts_exact, protect_counts, total_counts
from ppaos.lib.i18n import Deferred
from ppaos.referrals import selectors as referrals
from ppaos.referrals.models import OPEN_STATUSES
from ppaos.registry.selectors import duplicate_flags
from ppaos.targeting import selectors as targeting


@dataclass(frozen=True)
class NextAction:
    key: str  # a stable id for the page and tests
    label: str
    count: int
    url: str


def review_actions(user, *, city: bool) -> list[NextAction]:
    """The review queues a district officer (or, city-wide, a coordinator) works through."""
    actions = [
        NextAction(
            "overdue",
            _("Overdue referrals"),
            referrals.overdue_count(user=user),
            reverse("referrals:overdue"),
        ),
        NextAction(
            "corrections",
            _("Corrections and life events waiting for review"),
            community.corrections_to_review_count(user=user),
            reverse("community:review_queue"),
        ),
        NextAction(
            "linkage",
            _("Record pairs waiting for linkage review"),
            targeting.review_queue_count(user=user),
            reverse("targeting:review_list"),
        ),
    ]
    for campaign, count in targeting.verification_waiting(user=user):
        actions.append(
            NextAction(
                f"verification-{campaign.pk}",
                _("Verification disagreements: %(campaign)s") % {"campaign": campaign.name},
                count,
                reverse("targeting:verification", args=[campaign.pk]),
            )
        )
    if referrals.district_office_ids(user):
        actions.append(
            NextAction(
                "inbox",
                _("Referrals waiting in the district office's inbox"),
                referrals.district_inbox_waiting_count(user=user),
                reverse("referrals:inbox"),
            )
        )
    if city:
        actions.append(
            NextAction(
                "duplicate-ids",
                _("National IDs held for review"),
                duplicate_flags(user=user).count(),
                reverse("registry:duplicate_ids"),
            )
        )
    return actions


@login_required
def home(request):
    """Each role lands on its own page: what it is here to do next, for its own area."""
    template, context = home_context(request)
    user = request.user
    scope = scope_for(user)
    if scope.can(VIEW_COUNTS):
        _rows, context["totals"] = protect_counts(
            [], total_counts(user=user), exact=counts_exact(user=user)
        )
    if scope.can(MANAGE_TARGETING):
        context["next_actions"] = review_actions(user, city=scope.can(REVIEW_DUPLICATE_IDS))
    elif scope.can(RECORD_VISITS):
        # What to do next: the households left in each open campaign's worklist.
        context["campaigns"] = targeting.volunteer_campaigns(user=user)
    elif scope.holds(ANSWER_REFERRALS):
        # The inbox the page shows (referrals.templatetags `referral_inbox`, first 20).
        shown = len(referrals.agency_inbox(user=user).filter(status__in=OPEN_STATUSES)[:20])
        audit_list_view(
            actor=user,
            what=Deferred(gettext_noop("agency inbox (home page)")),
            rows=shown,
            object_type="referrals.list",
        )
    elif scope.can(LEAD_COMMUNITY):
        context["decided"] = community.corrections_decided_recent(user=user)[:20]
        context["unread"] = set(
            community.unread_notices(user=user).values_list("correction_id", flat=True)
        )
    return render(request, template, context)
