"""The fixtures of the apps whose lists are exported, shared here (pytest sees a conftest's
fixtures only below it)."""

from ppaos.assessment.tests.conftest import default_set, scenario  # noqa: F401
from ppaos.community.tests.conftest import approved, fund_year  # noqa: F401
from ppaos.dashboards.tests.conftest import city  # noqa: F401
from ppaos.referrals.tests.conftest import agency_org, elder, old_age, referral, sent  # noqa: F401
from ppaos.targeting.tests.conftest import campaign, target_list  # noqa: F401
