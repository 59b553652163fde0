"""The national dashboard: provinces → districts → communities, each with its trend."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ppaos.rollup import access, selectors


@login_required
def national(request):
    access.require_national(request.user)
    return render(request, "rollup/national.html", {"rows": selectors.province_rows()})


@login_required
def province(request, code: str):
    package = access.package_for_user(user=request.user, province_code=code)
    area = selectors.province_area(package=package)
    context = {
        "package": package,
        "area": area,
        "province_row": selectors.area_row(package=package, area=area) if area else [],
        "rows": selectors.district_rows(package=package),
    }
    return render(request, "rollup/province.html", context)


@login_required
def district(request, code: str, district: str):
    package, area = access.district_for_user(user=request.user, province_code=code, code=district)
    context = {
        "package": package,
        "area": area,
        "district_row": selectors.area_row(package=package, area=area),
        "rows": selectors.community_rows(package=package, district_code=area.code),
    }
    return render(request, "rollup/district.html", context)
