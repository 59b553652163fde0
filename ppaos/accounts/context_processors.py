from django.conf import settings

from ppaos.accounts.scope import (
    ANSWER_REFERRALS,
    EDIT_PEOPLE,
    IMPORT_TARGETS,
    LEAD_COMMUNITY,
    MANAGE_CITY,
    MANAGE_FUND,
    MANAGE_TARGETING,
    RECORD_VISITS,
    REVIEW_CORRECTIONS,
    REVIEW_DUPLICATE_IDS,
    VIEW_AUDIT,
    VIEW_COUNTS,
    VIEW_NATIONAL_ROLLUP,
    VIEW_PEOPLE,
    scope_for,
)


def ppaos(request) -> dict:
    """Role, capabilities and the demo flag for every template."""
    scope = scope_for(getattr(request, "user", None))
    return {
        "scope": scope,
        "can": {
            "view_people": scope.can(VIEW_PEOPLE),
            "edit_people": scope.can(EDIT_PEOPLE),
            "view_counts": scope.can(VIEW_COUNTS),
            "view_audit": scope.can(VIEW_AUDIT),
            "manage_targeting": scope.can(MANAGE_TARGETING),
            "import_targets": scope.can(IMPORT_TARGETS),
            "review_corrections": scope.can(REVIEW_CORRECTIONS),
            "manage_fund": scope.can(MANAGE_FUND),
            "review_duplicate_ids": scope.can(REVIEW_DUPLICATE_IDS),
            "manage_city": scope.can(MANAGE_CITY),
            "record_visits": scope.can(RECORD_VISITS),
            "lead_community": scope.can(LEAD_COMMUNITY),
            "view_national_rollup": scope.can(VIEW_NATIONAL_ROLLUP),
            "answer_referrals": scope.holds(ANSWER_REFERRALS),
        },
        "demo_mode": settings.DEMO_MODE,
    }
