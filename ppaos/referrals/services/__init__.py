"""Writes for the referral system: the catalogue, benefits, referral cases (a state machine
with optimistic locking), notifications and household development plans. Every change is
audited; every referral change is also a timeline event. One module per part; every public
name is re-exported here."""

from ppaos.lib.versioning import StaleEditError
from ppaos.referrals.services._common import (
    audit_list,
    plain_value,
)
from ppaos.referrals.services.benefits import (
    benefit_end,
    benefit_record,
)
from ppaos.referrals.services.cases import (
    due_date,
    referral_accept,
    referral_close,
    referral_comment,
    referral_complete,
    referral_create,
    referral_event_add,
    referral_reject,
    referral_send,
    referral_start,
    referral_transfer,
)
from ppaos.referrals.services.catalogue import (
    DEFAULT_CATALOGUE,
    SERVICE_EDITABLE,
    LoadResult,
    catalogue_acceptor_gaps,
    catalogue_load,
    rule_check,
    rule_pair_check,
    service_rule_add,
    service_update,
)
from ppaos.referrals.services.notifications import (
    notification_mark_read,
    referrals_notify_overdue,
)
from ppaos.referrals.services.plans import (
    DEFAULT_POVERTY_LINE,
    plan_exit_check,
    plan_exit_checklist,
    plan_intervention_add,
    plan_intervention_set_status,
    plan_open,
    plan_problem_add,
    plan_update,
    plan_visit_record,
    poverty_line,
)
from ppaos.referrals.services.routing import (
    household_local_government,
    local_provider_ensure,
    local_providers_ensure,
    receiving_organisation,
)

__all__ = [
    "household_local_government",
    "local_provider_ensure",
    "local_providers_ensure",
    "DEFAULT_CATALOGUE",
    "DEFAULT_POVERTY_LINE",
    "LoadResult",
    "SERVICE_EDITABLE",
    "StaleEditError",
    "audit_list",
    "benefit_end",
    "benefit_record",
    "catalogue_acceptor_gaps",
    "catalogue_load",
    "due_date",
    "notification_mark_read",
    "plain_value",
    "plan_exit_check",
    "plan_exit_checklist",
    "plan_intervention_add",
    "plan_intervention_set_status",
    "plan_open",
    "plan_problem_add",
    "plan_update",
    "plan_visit_record",
    "poverty_line",
    "receiving_organisation",
    "referral_accept",
    "referral_close",
    "referral_comment",
    "referral_complete",
    "referral_create",
    "referral_event_add",
    "referral_reject",
    "referral_send",
    "referral_start",
    "referral_transfer",
    "referrals_notify_overdue",
    "rule_check",
    "rule_pair_check",
    "service_rule_add",
    "service_update",
]
