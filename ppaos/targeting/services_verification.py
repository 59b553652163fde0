"""Writes for verification: deciding a disagreement, and drawing the exclusion-error sample."""

import hashlib
import random
import secrets
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.accounts.scope import MANAGE_TARGETING, scope_for
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib import events
from ppaos.targeting import selectors, verification
from ppaos.targeting.models import (
    Campaign,
    ExclusionSample,
    ExclusionSampleHousehold,
    SurveyStatus,
    VerificationReview,
    Visit,
)
from ppaos.targeting.sampling import sample_size


@transaction.atomic
def verification_review_decide(
    *, visit: Visit, actor, decision: str, note: str = ""
) -> VerificationReview:
    """Settle the status of a household whose visit outcome and survey disagree.

    Only a current disagreement can be decided, once per assessment it was checked against.
    The decision (never the national ID) is audited on the household."""
    if decision not in (SurveyStatus.POOR, SurveyStatus.NOT_POOR):
        raise ValidationError({"decision": _("Choose poor or not poor.")})
    (check,) = verification.visit_checks([visit])
    if check.state != verification.DISAGREE:
        raise ValidationError(_("This visit agrees with the survey or cannot be checked."))
    if check.review is not None:
        raise ValidationError(_("This disagreement has already been decided."))
    if not note.strip() and decision != check.survey_status:
        raise ValidationError(
            {"note": _("Say why the volunteer's outcome stands against the survey.")}
        )
    review = VerificationReview.objects.create(
        visit=visit,
        assessment=check.assessment,
        survey_status=check.survey_status,
        decision=decision,
        note=note.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    # The household's reviewed status changed, hence its community's error figures.
    events.announce(events.COMMUNITY_FIGURES_CHANGED, community_id=visit.household.community_id)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=visit.household,
        changes={
            "verification_review": [
                f"visit {visit.pk} {visit.outcome}; survey {check.survey_status}",
                decision,
            ]
        },
    )
    return review


@transaction.atomic
def exclusion_sample_draw(*, campaign: Campaign, actor, seed: int | None = None) -> ExclusionSample:
    """Draw the campaign's simple random sample of non-listed households, once.

    The size follows the campaign's target interval width (see `sampling.sample_size`). The
    seed (random unless given), the frame's size per community and its digest are recorded,
    so the same frame and seed give the same sample. The drawer's area must cover every
    community of the campaign: a sample of part of a campaign would not be its sample."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if ExclusionSample.objects.filter(campaign=campaign).exists():
        raise ValidationError(_("This campaign's sample has already been drawn."))
    area = scope_for(actor).area(MANAGE_TARGETING)
    communities = campaign.assignments.select_related("community__subdistrict")
    if not communities.exists():
        raise ValidationError(_("Assign communities to the campaign before drawing its sample."))
    if any(not area.contains_community(a.community) for a in communities):
        raise ValidationError(
            _("Your area does not cover every community of this campaign: ask a coordinator.")
        )
    frame = selectors.exclusion_frame(campaign=campaign)
    seed = secrets.randbelow(2**31) if seed is None else seed
    size = sample_size(width=campaign.sample_width, frame=len(frame))
    chosen = random.Random(seed).sample(range(len(frame)), size)
    sample = ExclusionSample.objects.create(
        campaign=campaign,
        seed=seed,
        target_width=campaign.sample_width,
        frame_size=len(frame),
        frame_counts={str(c): n for c, n in sorted(Counter(c for _h, c in frame).items())},
        frame_digest=hashlib.sha256(",".join(str(h) for h, _c in frame).encode()).hexdigest(),
        sample_size=size,
        drawn_by=actor,
        drawn_at=timezone.now(),
    )
    ExclusionSampleHousehold.objects.bulk_create(
        ExclusionSampleHousehold(sample=sample, household_id=frame[i][0], position=n)
        for n, i in enumerate(chosen, 1)
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=sample,
        changes={"exclusion_sample": [None, f"seed {seed}, {size} of {len(frame)}"]},
    )
    return sample
