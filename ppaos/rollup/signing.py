"""Ed25519 keys and signatures of roll-up packages (the `cryptography` package).

A province signs with its private key (PEM, PKCS#8, the file of PPAOS_ROLLUP_SIGNING_KEY_FILE);
the national installation verifies with the public key it registered for that province
(PEM, SubjectPublicKeyInfo). `keypair_write` writes both files with mode 0600."""

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils.translation import gettext as _


class KeyFileError(ValueError):
    """A key file or key text that cannot be used; `str()` is the message to show."""


def keypair_write(path: Path, *, force: bool = False) -> tuple[Path, Path]:
    """A new key pair: the private key at `path`, the public one at `path` + ".pub", both
    0600. Refuses to overwrite an existing file unless `force`."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_path = path.with_name(path.name + ".pub")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for target, data in ((path, private_pem), (public_path, public_pem(private.public_key()))):
        _write_private(target, data, force=force)
    return path, public_path


def _write_private(path: Path, data: bytes, *, force: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KeyFileError(
            _("%(path)s exists: use --force to replace it.") % {"path": path}
        ) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)  # an existing file keeps its mode on O_TRUNC


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_key_load(path: str | Path) -> Ed25519PrivateKey:
    """The signing key from its PEM file."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise KeyFileError(
            _("The signing key %(path)s cannot be read: %(error)s") % {"path": path, "error": error}
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(_("The signing key is not an Ed25519 key."))
    return key


def public_key_parse(text: str | bytes) -> Ed25519PublicKey:
    """A public key from its PEM text."""
    data = text.encode() if isinstance(text, str) else text
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as error:
        raise KeyFileError(
            _("The public key cannot be read: %(error)s") % {"error": error}
        ) from error
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(_("The public key is not an Ed25519 key."))
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex: how people compare keys by eye or phone."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode("ascii")


def verify(key: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature.encode("ascii"), validate=True)
        key.verify(raw, data)
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        return False
    return True
