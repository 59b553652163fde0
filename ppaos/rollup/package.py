"""The package file: the payload (figures.py) as canonical JSON text, its SHA-256 and its
Ed25519 signature, in one small JSON envelope.

    {"format": "ppaos-rollup-package", "province": "10", "key_fingerprint": "…",
     "payload_sha256": "…", "signature": "<base64>", "payload": "<the payload as JSON text>"}

The signature covers the payload's exact bytes (UTF-8), so the importer verifies before it
parses the figures; both parses are bounded (`ppaos.lib.safejson`: size, nesting depth,
number length) and the payload's shape is checked before anything is stored."""

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from ppaos.lib import safejson
from ppaos.rollup import signing
from ppaos.rollup.figures import SCHEMA, SCHEMA_VERSION

FORMAT = "ppaos-rollup-package"
MAX_BYTES = 64 * 1024 * 1024
# The envelope is flat; the payload's deepest value is an area's figures → levels → round →
# level (six levels of objects and arrays).
ENVELOPE_DEPTH = 2
PAYLOAD_DEPTH = 8
MAX_AREAS = 200_000
LEVELS = ("province", "district", "community")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LABEL = re.compile(r"^(< \d{1,3}|\*)$")
CODE = re.compile(r"^[0-9A-Za-z._-]{1,20}$")


class PackageError(ValueError):
    """A package that cannot be trusted or read; `str()` is the message to show."""


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def seal(payload: dict, key) -> tuple[bytes, str]:
    """(the package file's bytes, the payload's digest)."""
    data = canonical(payload)
    digest = hashlib.sha256(data).hexdigest()
    envelope = {
        "format": FORMAT,
        "province": payload["province"]["code"],
        "key_fingerprint": signing.fingerprint(key.public_key()),
        "payload_sha256": digest,
        "signature": signing.sign(key, data),
        "payload": data.decode("utf-8"),
    }
    return json.dumps(envelope, ensure_ascii=False, indent=1).encode("utf-8") + b"\n", digest


@dataclass
class Opened:
    province: str
    digest: str
    signature: str
    data: bytes  # the payload's signed bytes


def open_envelope(path: Path) -> Opened:
    """The envelope of the file at `path`, read within the limits (not yet verified)."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise PackageError(_("The package cannot be read: %(error)s") % {"error": error}) from None
    if size > MAX_BYTES:
        raise PackageError(
            _("The package is larger than %(n)s MB.") % {"n": MAX_BYTES // (1024 * 1024)}
        )
    try:
        envelope = safejson.loads(path.read_bytes(), max_bytes=MAX_BYTES, max_depth=ENVELOPE_DEPTH)
    except (OSError, safejson.JSONLimitError) as error:
        raise PackageError(str(error)) from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise PackageError(_("This is not a PPAOS roll-up package."))
    fields = ("province", "payload_sha256", "signature", "payload")
    if not all(isinstance(envelope.get(f), str) for f in fields):
        raise PackageError(_("The package is incomplete."))
    data = envelope["payload"].encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    if digest != envelope["payload_sha256"]:
        raise PackageError(_("The package's figures do not match its digest: it was changed."))
    return Opened(envelope["province"], digest, envelope["signature"], data)


def verify(opened: Opened, public_key_pem: str) -> None:
    key = signing.public_key_parse(public_key_pem)
    if not signing.verify(key, opened.data, opened.signature):
        raise PackageError(
            _("The signature does not match the key registered for province %(code)s.")
            % {"code": opened.province}
        )


def payload_parse(opened: Opened) -> dict:
    """The verified payload, parsed within the limits and checked for shape."""
    try:
        payload = safejson.loads(opened.data, max_bytes=MAX_BYTES, max_depth=PAYLOAD_DEPTH)
    except safejson.JSONLimitError as error:
        raise PackageError(str(error)) from None
    problem = _problem(payload, opened.province)
    if problem:
        raise PackageError(_("The package's figures are malformed: %(what)s") % {"what": problem})
    return payload


def _value_ok(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and bool(LABEL.match(value))


def _counts_ok(mapping) -> bool:
    return isinstance(mapping, dict) and all(
        isinstance(k, str) and len(k) <= 50 and _value_ok(v) for k, v in mapping.items()
    )


def _figures_problem(figures) -> str:
    if not isinstance(figures, dict):
        return "figures"
    for name in ("counts", "month_totals", "mobility"):
        if not _counts_ok(figures.get(name, {})):
            return name
    for name in ("levels", "months"):
        nested = figures.get(name, {})
        if not isinstance(nested, dict) or not all(_counts_ok(v) for v in nested.values()):
            return name
    errors = figures.get("errors", {})
    if not isinstance(errors, dict):
        return "errors"
    for rate in errors.values():
        if rate is None:
            continue
        if not isinstance(rate, dict):
            return "errors"
        for k in ("rate", "low", "high"):
            if not isinstance(rate.get(k), int | float) or not 0 <= rate[k] <= 1:
                return "errors"
    return ""


def _problem(payload, province: str) -> str:
    """What is wrong with the payload's shape ("" when nothing)."""
    if not isinstance(payload, dict) or payload.get("schema") != SCHEMA:
        return "schema"
    if payload.get("schema_version") != SCHEMA_VERSION:
        return f"schema version {payload.get('schema_version')!r}"
    head = payload.get("province")
    if not isinstance(head, dict) or head.get("code") != province:
        return "province"
    if not isinstance(payload.get("period"), str) or not PERIOD.match(payload["period"]):
        return "period"
    if not isinstance(payload.get("generated_at"), str):
        return "generated_at"
    threshold = payload.get("threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 1 < threshold < 1000:
        return "threshold"
    areas = payload.get("areas")
    if not isinstance(areas, list) or not areas or len(areas) > MAX_AREAS:
        return "areas"
    seen = set()
    for area in areas:
        if not isinstance(area, dict) or area.get("level") not in LEVELS:
            return "area level"
        code, parent = area.get("code"), area.get("parent")
        if not isinstance(code, str) or not CODE.match(code) or not isinstance(parent, str):
            return "area code"
        if (area["level"], code) in seen:
            return f"area {code} twice"
        seen.add((area["level"], code))
        for name in ("name_th", "name_en"):
            if not isinstance(area.get(name), str) or len(area[name]) > 200:
                return "area name"
        problem = _figures_problem(area.get("figures"))
        if problem:
            return f"area {code}: {problem}"
    if ("province", province) not in seen:
        return "province area"
    return ""
