"""The household page's assessment box: the latest round, the earlier ones, and a survey that
is not assessed yet."""

import functools
import json

from django import template

from ppaos.assessment.definition import compile_definition
from ppaos.assessment.selectors import household_assessments, household_unassessed_survey
from ppaos.lib.i18n import localized_name

register = template.Library()


@register.inclusion_tag("assessment/_household_rounds.html")
def household_rounds(household) -> dict:
    """For a household whose scope the page has checked (the household page)."""
    assessments = household_assessments(household=household)
    # The latest round is the one whose survey is newest, whenever it was computed.
    assessments.sort(key=lambda a: (a.survey.collected_on, a.survey_id), reverse=True)
    specs: dict = {}
    rows = []
    for a in assessments:
        if a.indicator_set_id not in specs:
            specs[a.indicator_set_id] = compile_definition(a.indicator_set.definition)
        level = specs[a.indicator_set_id].level(a.level)
        rows.append(
            {
                "assessment": a,
                "level_name": localized_name(level) if level else "",
            }
        )
    return {
        "household": household,
        "latest": rows[0] if rows else None,
        "earlier": rows[1:],
        "unassessed": household_unassessed_survey(household=household, assessments=assessments),
    }


@functools.lru_cache(maxsize=16)
def _compiled(definition: str):
    return compile_definition(json.loads(definition))


@register.filter
def level_name(assessment) -> str:
    """The name of an assessment's level in the page's language ("" without a level): lists
    show "ยากจนมาก", not the bare number 1–4 (issue 15)."""
    if assessment is None or assessment.level is None:
        return ""
    definition = assessment.indicator_set.definition
    level = _compiled(json.dumps(definition, sort_keys=True)).level(assessment.level)
    return localized_name(level) if level else str(assessment.level)
