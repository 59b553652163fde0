"""National IDs at rest: the one way to store, find and show them.

A stored ID is two columns: `national_id_encrypted` (Fernet: AES-128-CBC + HMAC-SHA256, a
fresh IV per value, so equal IDs encrypt differently) and `national_id_hash` (HMAC-SHA256 of
the 13 digits under a separate key, hex) for equality: lookups, the unique constraint, import
keys and record linkage compare hashes and never decrypt.

Keys come from settings: `ID_KEYS` (PPAOS_ID_KEYS, Fernet keys, the first encrypts, every one
decrypts: rotation) and `ID_HASH_KEY` (PPAOS_ID_HASH_KEY). Unset, both are derived from
SECRET_KEY (demo and tests); `check_keys` (a system check) refuses that when DEBUG is off.
"""

import base64
import functools
import hashlib
import hmac
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.signals import setting_changed
from django.dispatch import receiver

from ppaos.registry import national_id

logger = logging.getLogger(__name__)

_DEV_ENCRYPTION_SALT = b"ppaos-national-id-encryption:"
_DEV_HASH_SALT = b"ppaos-national-id-hash:"
_SETTINGS = frozenset({"ID_KEYS", "ID_HASH_KEY", "SECRET_KEY"})


class IDKeyError(RuntimeError):
    """A stored national ID cannot be decrypted with the configured keys (wrong or lost key)."""


def _derived(salt: bytes) -> bytes:
    return hashlib.sha256(salt + settings.SECRET_KEY.encode()).digest()


@functools.cache
def _fernet() -> MultiFernet:
    keys = list(settings.ID_KEYS)
    if not keys:
        if not settings.DEBUG:
            logger.warning(
                "PPAOS_ID_KEYS is not set: national IDs are encrypted with a key derived from "
                "SECRET_KEY. Set PPAOS_ID_KEYS and PPAOS_ID_HASH_KEY in production."
            )
        keys = [base64.urlsafe_b64encode(_derived(_DEV_ENCRYPTION_SALT)).decode()]
    return MultiFernet([Fernet(key) for key in keys])


@functools.cache
def _hash_key() -> bytes:
    if settings.ID_HASH_KEY:
        return settings.ID_HASH_KEY.encode()
    return _derived(_DEV_HASH_SALT)


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting in _SETTINGS:
        _fernet.cache_clear()
        _hash_key.cache_clear()
        _hash_mac.cache_clear()


def _decrypt(token: str | None, what: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise IDKeyError(
            f"{what} cannot be decrypted with PPAOS_ID_KEYS: the key that "
            "encrypted it is missing (keep old keys after the new one until "
            "`ppaos rotate-id-keys` has run)"
        ) from None


def encrypt(plain: str | None) -> str:
    """The ID (normalised) encrypted with the current key; "" for no ID."""
    digits = national_id.normalize(plain or "")
    if not digits:
        return ""
    return _fernet().encrypt(digits.encode()).decode("ascii")


def decrypt(token: str | None) -> str:
    """The ID in a stored token; "" for none. IDKeyError when no configured key opens it."""
    return _decrypt(token, "a stored national ID")


def encrypt_text(plain: str | None) -> str:
    """Any sensitive text (phone, health) encrypted with the current key; "" stays ""."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt_text(token: str | None) -> str:
    """The text in a token from `encrypt_text`; "" for none. IDKeyError when no key opens it."""
    return _decrypt(token, "a stored encrypted value")


def rotate(token: str) -> str:
    """The token re-encrypted with the current (first) key."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise IDKeyError("a stored national ID cannot be decrypted with PPAOS_ID_KEYS") from None


def lookup_hash(plain: str | None) -> str | None:
    """HMAC-SHA256 (hex, 64 characters) of the normalised ID; None for no ID."""
    digits = national_id.normalize(plain or "")
    if not digits:
        return None
    return keyed_hash(digits.encode())


def keyed_hash(message: bytes) -> str:
    """HMAC-SHA256 (hex) of `message` under the hash key (PPAOS_ID_HASH_KEY): the national
    ID's lookup hash, and the phone's (`search_keys.phone_hash`)."""
    mac = _hash_mac().copy()
    mac.update(message)
    return mac.hexdigest()


@functools.lru_cache(maxsize=1)
def _hash_mac():
    """HMAC-SHA256 keyed once (`keyed_hash` copies it): keying costs as much as hashing an
    ID, and an import hashes every row's."""
    return hmac.new(_hash_key(), digestmod=hashlib.sha256)


def seal(plain: str | None) -> tuple[str, str | None]:
    """(encrypted, hash) to store for an ID."""
    return encrypt(plain), lookup_hash(plain)


def mask(plain: str | None) -> str:
    """`x-xxxx-xxxxx-78-1`: only the last three digits, for lists, logs and most roles."""
    return national_id.masked(plain or "")


class EncryptedNationalId:
    """Model mixin: `national_id` reads and writes the two columns the model declares
    (`national_id_encrypted`, `national_id_hash`); the plaintext is never a column."""

    @property
    def national_id(self) -> str | None:
        token = self.national_id_encrypted
        if not token:
            return None
        cached = self.__dict__.get("_national_id_plain")
        if cached is None or cached[0] != token:
            cached = (token, decrypt(token))
            self.__dict__["_national_id_plain"] = cached
        return cached[1] or None

    @national_id.setter
    def national_id(self, value: str | None) -> None:
        encrypted, digest = seal(value)
        self.national_id_encrypted = encrypted
        self.national_id_hash = digest
        self.__dict__["_national_id_plain"] = (encrypted, national_id.normalize(value or ""))

    @property
    def masked_id(self) -> str:
        return mask(self.national_id)


def rotate_all(*, batch_size: int = 2000, progress=None) -> dict[str, int]:
    """Re-encrypt every stored ID with the current key and recompute its hash with the current
    hash key, in batches of `batch_size` (one transaction each), for every model with
    `EncryptedNationalId`; then every `EncryptedTextField` column (phone, health) the same way
    (labels `app.Model.field`). Returns rows rewritten per label. Idempotent: run it again
    after an interruption. Phone hashes (search keys) are recomputed with the hash key last."""
    from django.apps import apps
    from django.db import transaction

    done: dict[str, int] = {}
    for model in apps.get_models():
        for field in _encrypted_text_fields(model):
            label = f"{model._meta.label}.{field.name}"

            def step(count: int, label: str = label) -> None:
                if progress:
                    progress(label, count)

            done[label] = _rotate_column(model, field, batch_size, step)
    for model in apps.get_models():
        if not issubclass(model, EncryptedNationalId):
            continue
        rows = model.objects.exclude(national_id_encrypted="").order_by("pk")
        last, count = 0, 0
        while True:
            with transaction.atomic():
                batch = list(
                    rows.filter(pk__gt=last)
                    .select_for_update()
                    .only("pk", "national_id_encrypted", "national_id_hash")[:batch_size]
                )
                if not batch:
                    break
                for obj in batch:
                    obj.national_id_encrypted = rotate(obj.national_id_encrypted)
                    obj.national_id_hash = lookup_hash(decrypt(obj.national_id_encrypted))
                model.objects.bulk_update(batch, ["national_id_encrypted", "national_id_hash"])
            last, count = batch[-1].pk, count + len(batch)
            if progress:
                progress(model._meta.label, count)
        done[model._meta.label] = count
    done["registry.Person.phone_hash"] = _rehash_phones(batch_size, progress)
    return done


def _rehash_phones(batch_size: int, progress=None) -> int:
    """Person.phone_hash again under the current hash key (registry.search_keys)."""
    from django.db import transaction

    from ppaos.registry.models import Person
    from ppaos.registry.search_keys import phone_hash

    rows = Person.objects.exclude(phone="").order_by("pk")
    last, count = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                rows.filter(pk__gt=last).select_for_update().only("pk", "phone")[:batch_size]
            )
            if not batch:
                break
            for person in batch:
                person.phone_hash = phone_hash(person.phone)
            Person.objects.bulk_update(batch, ["phone_hash"])
        last, count = batch[-1].pk, count + len(batch)
        if progress:
            progress("registry.Person.phone_hash", count)
    return count


def _encrypted_text_fields(model) -> list:
    from ppaos.registry.fields import EncryptedTextField

    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]


def _rotate_column(model, field, batch_size: int, progress) -> int:
    """Re-encrypt one EncryptedTextField column on the raw tokens, in batches of one
    transaction each. Each row is rewritten only if it still holds the token read
    (compare-and-set), so a concurrent edit is never overwritten with its old value."""
    from django.db import connection, transaction

    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field.column)
    pk = connection.ops.quote_name(model._meta.pk.column)
    last, count = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} "  # noqa: S608 (our own names)
                f"WHERE {pk} > %s AND {column} <> '' ORDER BY {pk} LIMIT %s",
                [last, batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                [(rotate(token), key, token) for key, token in rows],
            )
        last, count = rows[-1][0], count + len(rows)
        progress(count)
    return count


@checks.register(checks.Tags.security)
def check_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production (DEBUG off) must set its own keys; every key given must be a Fernet key."""
    errors: list[checks.CheckMessage] = []
    if not settings.DEBUG and not (settings.ID_KEYS and settings.ID_HASH_KEY):
        errors.append(
            checks.Error(
                "PPAOS_ID_KEYS and PPAOS_ID_HASH_KEY must be set when PPAOS_DEBUG is false.",
                hint="Generate a key with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'` (one for each setting); keep them "
                "outside the database and its backups.",
                id="ppaos.E001",
            )
        )
    if settings.ID_HASH_KEY and len(settings.ID_HASH_KEY) < 32:
        errors.append(
            checks.Error("PPAOS_ID_HASH_KEY is shorter than 32 characters.", id="ppaos.E003")
        )
    for n, key in enumerate(settings.ID_KEYS, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                checks.Error(
                    f"PPAOS_ID_KEYS key {n} is not a Fernet key (32 url-safe base64 bytes).",
                    id="ppaos.E002",
                )
            )
    return errors
