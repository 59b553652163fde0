"""Roll-up writes: a province exports its signed package; the national installation
registers province keys and imports packages (verified, idempotent, atomic)."""

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.areas.models import Province
from ppaos.audit.models import Action
from ppaos.audit.services import audit_event
from ppaos.dashboards.selectors import current_refresh
from ppaos.lib.i18n import Deferred
from ppaos.rollup import package, signing
from ppaos.rollup.figures import FiguresChangedError, province_figures
from ppaos.rollup.models import Area, Package, ProvinceKey


class RollupError(ValueError):
    """The export or import cannot go on; `str()` is the message to show."""


@dataclass
class Exported:
    path: Path
    digest: str
    areas: int
    period: str


def _period(text: str | None, refresh) -> dt.date:
    if text:
        if not package.PERIOD.match(text):
            raise RollupError(_("The period must be YYYY-MM (Common Era), e.g. 2026-01."))
        return dt.date(int(text[:4]), int(text[5:7]), 1)
    day = timezone.localdate(refresh.as_of or timezone.now())
    return day.replace(day=1)


def _write(path: Path, data: bytes) -> None:
    """Write the file whole or not at all (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rollup-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def rollup_export(
    *,
    out: Path | None = None,
    province_code: str | None = None,
    period: str | None = None,
    key_file: str | None = None,
    actor=None,
) -> Exported:
    """Build, sign and write the province's package from the current dashboard refresh, as
    a researcher of the province sees it (ppaos.rollup.figures). One audit row."""
    code = province_code or settings.HOME_PROVINCE
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise RollupError(_("Province %(code)s is not loaded.") % {"code": code})
    key_path = key_file or settings.ROLLUP_SIGNING_KEY_FILE
    if not key_path:
        raise RollupError(
            _("No signing key: set PPAOS_ROLLUP_SIGNING_KEY_FILE (ppaos rollup keygen makes one).")
        )
    try:
        key = signing.private_key_load(key_path)
    except signing.KeyFileError as error:
        raise RollupError(str(error)) from None
    refresh = current_refresh()
    if refresh is None:
        raise RollupError(_("No dashboard figures yet: run ppaos refresh-dashboards first."))
    when = _period(period, refresh)
    try:
        payload = province_figures(province=province, refresh=refresh, period=when)
    except FiguresChangedError:
        raise RollupError(
            _("The figures changed while the package was made (a refresh ran): export again.")
        ) from None
    data, digest = package.seal(payload, key)
    target = out or Path(f"rollup-{province.code}-{when:%Y-%m}.json")
    _write(target, data)
    audit_event(
        actor=actor,
        action=Action.EXPORT,
        object_type="rollup",
        object_id=province.code,
        label=Deferred(
            gettext_noop("national roll-up package of province %(province)s, %(period)s"),
            province=province.code,
            period=f"{when:%Y-%m}",
        ),
        changes={"areas": len(payload["areas"]), "sha256": digest, "refresh": refresh.pk},
    )
    return Exported(target, digest, len(payload["areas"]), f"{when:%Y-%m}")


def province_key_register(
    *, province_code: str, public_key_pem: str, note: str = "", actor=None
) -> ProvinceKey:
    """Trust `public_key_pem` for the province's packages (replacing its earlier key)."""
    if not (len(province_code) == 2 and province_code.isdigit()):
        raise RollupError(_("A province code is two digits (DOPA), e.g. 10."))
    try:
        key = signing.public_key_parse(public_key_pem)
    except signing.KeyFileError as error:
        raise RollupError(str(error)) from None
    pem = signing.public_pem(key).decode("ascii")
    with transaction.atomic():
        record, created = ProvinceKey.objects.update_or_create(
            province_code=province_code,
            defaults={"public_key": pem, "fingerprint": signing.fingerprint(key), "note": note},
        )
        audit_event(
            actor=actor,
            action=Action.CREATE if created else Action.UPDATE,
            object_type="rollup.provincekey",
            object_id=province_code,
            label=Deferred(
                gettext_noop("trusted roll-up key of province %(province)s, %(fingerprint)s"),
                province=province_code,
                fingerprint=record.fingerprint[:16],
            ),
        )
    return record


@dataclass
class Imported:
    package: Package
    created: bool  # False: this very package was imported before (nothing changed)
    current: bool  # the province's current figures are now this package's


def rollup_import(*, path: Path, actor=None) -> Imported:
    """Verify the package against its province's registered key, then store its figures in
    one transaction with one audit row. The same package again changes nothing; a newer one
    becomes the province's current figures and the older stay as its history."""
    opened = package.open_envelope(Path(path))
    trusted = ProvinceKey.objects.filter(province_code=opened.province).first()
    if trusted is None:
        raise package.PackageError(
            _("No key is registered for province %(code)s: register it first (ppaos rollup trust).")
            % {"code": opened.province}
        )
    package.verify(opened, trusted.public_key)
    existing = Package.objects.filter(digest=opened.digest).first()
    if existing is not None:
        return Imported(existing, created=False, current=existing == _current(opened.province))
    payload = package.payload_parse(opened)
    generated = parse_datetime(payload["generated_at"])
    if generated is None or timezone.is_naive(generated):
        raise package.PackageError(_("The package's generation time is not a valid timestamp."))
    head = payload["province"]
    rounds = payload.get("mobility_rounds") or {}
    try:
        with transaction.atomic():
            record = Package.objects.create(
                digest=opened.digest,
                province_code=opened.province,
                province_name_th=str(head.get("name_th", ""))[:100],
                province_name_en=str(head.get("name_en", ""))[:100],
                period=dt.date(int(payload["period"][:4]), int(payload["period"][5:7]), 1),
                generated_at=generated,
                schema_version=payload["schema_version"],
                threshold=payload["threshold"],
                from_round=str(rounds.get("from") or "")[:50],
                to_round=str(rounds.get("to") or "")[:50],
                areas_count=len(payload["areas"]),
            )
            Area.objects.bulk_create(
                [
                    Area(
                        package=record,
                        level=a["level"],
                        code=a["code"],
                        parent_code=a["parent"][:20],
                        name_th=a["name_th"],
                        name_en=a["name_en"],
                        figures=a["figures"],
                    )
                    for a in payload["areas"]
                ],
                batch_size=2000,
            )
            audit_event(
                actor=actor,
                action=Action.CREATE,
                object_type="rollup",
                object_id=opened.province,
                label=Deferred(
                    gettext_noop("national roll-up import of province %(province)s, %(period)s"),
                    province=opened.province,
                    period=payload["period"],
                ),
                changes={"areas": len(payload["areas"]), "sha256": opened.digest},
            )
    except IntegrityError:  # the same package, imported at the same moment by another run
        record = Package.objects.get(digest=opened.digest)
        return Imported(record, created=False, current=record == _current(opened.province))
    return Imported(record, created=True, current=record == _current(opened.province))


def _current(province_code: str) -> Package | None:
    from ppaos.rollup.selectors import current_package

    return current_package(province_code=province_code)
