"""Writes to accounts: users, organisations and role assignments."""

from django.db import transaction

from ppaos.accounts.models import Organisation, Role, RoleAssignment, User
from ppaos.areas.models import Community, District, Province


def user_create(
    *, username: str, password: str, first_name: str = "", last_name: str = "", **extra
) -> User:
    user = User(username=username, first_name=first_name, last_name=last_name, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def role_assign(
    *,
    user: User,
    role: str,
    province: Province | None = None,
    district: District | None = None,
    community: Community | None = None,
    organisation: Organisation | None = None,
) -> RoleAssignment:
    """Give `user` a role over exactly one scope (province, district, community or organisation)."""
    assignment = RoleAssignment(
        user=user,
        role=role,
        province=province,
        district=district,
        community=community,
        organisation=organisation,
    )
    assignment.full_clean()
    assignment.save()
    user.__dict__.pop("_ppaos_scope", None)
    return assignment


DEMO_PASSWORD = "ppaos-demo-2566"  # noqa: S105 (synthetic demo accounts only)


@transaction.atomic
def demo_users_create(*, province_code: str = "10") -> list[tuple[str, str, str]]:
    """One demo user per role over the pilot. Returns (username, role, scope) rows.

    Runs again safely: existing demo users are reset to the same assignments."""
    province = Province.objects.get(code=province_code)
    communities = list(
        Community.objects.filter(is_demo=True, subdistrict__district_id="1008").order_by("code")
    )
    district = District.objects.get(code="1008")
    district_office, _ = Organisation.objects.get_or_create(
        name_th="สำนักงานเขตป้อมปราบศัตรูพ่าย",
        defaults={
            "name_en": "Pom Prap Sattru Phai District Office",
            "kind": "district_office",
            "district": district,
        },
    )
    agency, _ = Organisation.objects.get_or_create(
        name_th="สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์กรุงเทพมหานคร",
        defaults={
            "name_en": "Bangkok Office of Social Development and Human Security",
            "kind": "government_agency",
        },
    )
    university, _ = Organisation.objects.get_or_create(
        name_th="มหาวิทยาลัยตัวอย่าง (ข้อมูลสาธิต)",
        defaults={"name_en": "Demo University", "kind": "university"},
    )
    plan = [
        ("admin", "ผู้ดูแล", "ระบบ", Role.ADMIN, {"province": province}, None),
        ("coordinator", "สมหญิง", "ประสานงาน", Role.COORDINATOR, {"province": province}, None),
        (
            "district1008",
            "วิชัย",
            "ป้อมปราบ",
            Role.DISTRICT_OFFICER,
            {"district": district},
            district_office,
        ),
        ("volunteer", "มาลี", "อาสาดี", Role.VOLUNTEER, {"community": communities[0]}, None),
        ("volunteer2", "ประยุทธ", "ใจอาสา", Role.VOLUNTEER, {"community": communities[1]}, None),
        ("agency", "สุดา", "สวัสดิการ", Role.AGENCY_OFFICER, {"organisation": agency}, agency),
        ("researcher", "ธนา", "วิจัย", Role.RESEARCHER, {"province": province}, university),
        ("leader", "บุญมี", "ผู้นำชุมชน", Role.COMMUNITY_LEADER, {"community": communities[0]}, None),
    ]
    rows = []
    for username, first, last, role, scope, organisation in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username, password=DEMO_PASSWORD, first_name=first, last_name=last
            )
        user.organisation = organisation
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.save(update_fields=["organisation", "is_staff", "is_superuser"])
        user.role_assignments.all().delete()
        role_assign(user=user, role=role, **scope)
        target = next(iter(scope.values()))
        rows.append((username, str(Role(role).label), str(target)))
    if len(communities) > 2:
        # The first volunteer covers two communities, as field teams do.
        role_assign(
            user=User.objects.get(username="volunteer"),
            role=Role.VOLUNTEER,
            community=communities[2],
        )
    return rows
