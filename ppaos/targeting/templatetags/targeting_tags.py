"""`{% household_target_records household as records %}` for the household page include."""

from django import template

from ppaos.targeting.records import RecordFacts, household_target_records

register = template.Library()


@register.simple_tag
def household_targets(household) -> list[RecordFacts]:
    return household_target_records(household=household)
