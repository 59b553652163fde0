from ppaos.assessment.models import IndicatorSet
from ppaos.assessment.services import indicator_set_load_default


def indicator_set_active() -> IndicatorSet:
    """The set new surveys are asked with; the shipped default when none was loaded."""
    return IndicatorSet.objects.filter(is_active=True).first() or indicator_set_load_default()
