"""Writes for the community app: corrections (propose, accept through the registry services,
reject) and the community fund (fiscal years, proposals, decisions, and the cash ledger's
expenditures; district procurement is in `procurement`). One module per part; every public
name is re-exported here."""

from ppaos.community.services.corrections import (
    END_REASONS,
    NEW_HEAD_FIELDS,
    NEW_HOUSEHOLD_FIELDS,
    CorrectionConflict,
    correction_accept,
    correction_propose,
    correction_reject,
    life_event_propose,
    new_household_propose,
    notices_mark_read,
)
from ppaos.community.services.fund import (
    CENT,
    MAX_RECEIPT,
    RECEIPT_TYPES,
    baht,
    decision_record,
    default_budget,
    expenditure_record,
    fund_year_locked,
    fund_year_open,
    fund_year_set_budget,
    money,
    proposal_create,
    receipt_check,
)
from ppaos.lib.versioning import StaleEditError

__all__ = [
    "CENT",
    "CorrectionConflict",
    "END_REASONS",
    "MAX_RECEIPT",
    "NEW_HEAD_FIELDS",
    "NEW_HOUSEHOLD_FIELDS",
    "RECEIPT_TYPES",
    "StaleEditError",
    "baht",
    "correction_accept",
    "correction_propose",
    "correction_reject",
    "decision_record",
    "default_budget",
    "expenditure_record",
    "fund_year_locked",
    "fund_year_open",
    "fund_year_set_budget",
    "life_event_propose",
    "money",
    "new_household_propose",
    "notices_mark_read",
    "proposal_create",
    "receipt_check",
]
