"""`{% household_trajectory household as trajectory %}`: the household's level and its
programme members' income per round, for the assessment profile page (assessment sits below
livelihoods, so the page asks for it here instead of importing it)."""

from django import template

from ppaos.livelihoods.selectors import household_trajectory as trajectory

register = template.Library()


@register.simple_tag
def household_trajectory(household) -> list[dict]:
    """The caller's page has checked the scope of `household`."""
    return trajectory(household=household)
