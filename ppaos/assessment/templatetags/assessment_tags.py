"""The household page's assessment box: the latest round, the earlier ones, and a survey that
is not assessed yet."""

from django import template

from ppaos.assessment.definition import compile_definition
from ppaos.assessment.profile import localized
from ppaos.assessment.selectors import household_assessments, household_unassessed_survey

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
                "level_name": localized(level.name_th, level.name_en) if level else "",
            }
        )
    return {
        "household": household,
        "latest": rows[0] if rows else None,
        "earlier": rows[1:],
        "unassessed": household_unassessed_survey(household=household, assessments=assessments),
    }
