"""Who answers a referral, by the household's area.

A service with a fixed provider goes to it. A service "given by the local office" goes, as
the province's profile says (`ppaos.areas.provinces`, data), to the household's district
office (Bangkok) or to the อปท. covering the household (elsewhere); a service routed through
the local health fund goes to the provider in Bangkok and to the health fund of the
household's อปท. elsewhere. The อปท.'s provider organisations are made by
`local_providers_ensure` when a province is onboarded (or on first use)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ppaos.accounts.models import Organisation, OrganisationKind
from ppaos.areas import provinces
from ppaos.areas.models import LocalGovernment, LocalGovernmentKind
from ppaos.referrals.models import AreaRoute, LocalProvider, Service
from ppaos.registry.models import Household

HEALTH_FUND_PREFIX = "กองทุนหลักประกันสุขภาพ"
HEALTH_FUND_PREFIX_EN = "Local health fund of "


def household_local_government(household: Household) -> LocalGovernment:
    """The อปท. (not the อบจ.) a household lies in: its community's, its village's, or the
    only one covering its tambon."""
    community = household.community
    if community.local_government_id:
        return community.local_government
    if community.village_id and community.village.local_government_id:
        return community.village.local_government
    covering = list(
        LocalGovernment.objects.filter(subdistricts=household.subdistrict_id)
        .exclude(kind=LocalGovernmentKind.PAO)
        .order_by("code")
    )
    if len(covering) == 1:
        return covering[0]
    raise ValidationError(
        _(
            "No single local government (อปท.) is known for tambon %(tambon)s (found "
            "%(count)s): set the community's อปท. or onboard the province with its villages."
        )
        % {"tambon": household.subdistrict_id, "count": len(covering)}
    )


@transaction.atomic
def local_provider_ensure(*, local_government: LocalGovernment, function: str) -> Organisation:
    """The organisation answering for `local_government`'s `function`, made if missing."""
    found = (
        LocalProvider.objects.filter(local_government=local_government, function=function)
        .select_related("organisation")
        .first()
    )
    if found:
        return found.organisation
    if function == LocalProvider.Function.HEALTH_FUND:
        name_th = f"{HEALTH_FUND_PREFIX}{local_government.name_th}"
        name_en = (
            f"{HEALTH_FUND_PREFIX_EN}{local_government.name_en}" if local_government.name_en else ""
        )
    else:
        name_th, name_en = local_government.name_th, local_government.name_en
    organisation = Organisation.objects.create(
        name_th=name_th, name_en=name_en, kind=OrganisationKind.GOVERNMENT_AGENCY
    )
    LocalProvider.objects.create(
        local_government=local_government, function=function, organisation=organisation
    )
    return organisation


def local_providers_ensure(*, province_code: str) -> int:
    """Provider organisations for every อปท. of the province (its office and its health
    fund; the อบจ. has neither by default). Returns how many were made. Idempotent."""
    before = LocalProvider.objects.count()
    laos = LocalGovernment.objects.filter(province_id=province_code).exclude(
        kind=LocalGovernmentKind.PAO
    )
    for lao in laos:
        for function in LocalProvider.Function.values:
            local_provider_ensure(local_government=lao, function=function)
    return LocalProvider.objects.count() - before


def _district_office(service: Service, household: Household) -> Organisation:
    office = Organisation.objects.filter(
        kind=OrganisationKind.DISTRICT_OFFICE, district_id=household.subdistrict.district_id
    ).first()
    if office is None:
        raise ValidationError(
            _(
                "No district office is registered for khet %(district)s: add the organisation "
                "before referring to %(service)s."
            )
            % {"district": household.subdistrict.district_id, "service": service.name}
        )
    return office


def receiving_organisation(*, service: Service, household: Household) -> Organisation:
    """The organisation a referral of `household` to `service` goes to (module docstring)."""
    profile = provinces.profile(household.subdistrict_id)
    if service.provider_is_district_office:
        if profile.local_office == provinces.DISTRICT_OFFICE:
            return _district_office(service, household)
        lao = household_local_government(household)
        return local_provider_ensure(local_government=lao, function=LocalProvider.Function.OFFICE)
    if (
        service.area_route == AreaRoute.HEALTH_FUND
        and profile.health_fund == provinces.LOCAL_HEALTH_FUND
    ):
        lao = household_local_government(household)
        return local_provider_ensure(
            local_government=lao, function=LocalProvider.Function.HEALTH_FUND
        )
    return service.provider
