"""Permission-checked fetchers for the national pages: without `view_national_rollup`, or for
a province or district the roll-up does not hold, the answer is 404."""

from django.http import Http404

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import VIEW_NATIONAL_ROLLUP
from ppaos.rollup import selectors
from ppaos.rollup.models import Area, Package


def require_national(user) -> None:
    require_capability(user, VIEW_NATIONAL_ROLLUP)


def package_for_user(*, user, province_code: str) -> Package:
    require_national(user)
    package = selectors.current_package(province_code=province_code)
    if package is None:
        raise Http404("No roll-up for this province")
    return package


def district_for_user(*, user, province_code: str, code: str) -> tuple[Package, Area]:
    package = package_for_user(user=user, province_code=province_code)
    area = selectors.district_area(package=package, code=code)
    if area is None:
        raise Http404("No such district in the roll-up")
    return package, area
