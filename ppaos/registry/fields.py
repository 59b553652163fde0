"""`EncryptedTextField`: sensitive text (phone, health) encrypted at rest.

The column holds a Fernet token under the national-ID keys (`id_crypto`: PPAOS_ID_KEYS, the
first encrypts, every one decrypts; `ppaos rotate-id-keys` re-encrypts these columns too).
Reads decrypt and writes encrypt inside the field, on every path (`save()`, `update()`,
`bulk_create()`, `bulk_update()`, `values()`), so forms, serializers, exports and services
see plain text. "" stays "" so blank tests (`exclude(phone="")`) still work; any other
equality or `contains` lookup cannot match (a fresh IV per value): never filter on the text.

`max_length` limits the plain text (forms, the API, and `ppaos.lib.field_limits` on save);
the column itself is `text` because a token is longer than the value.
"""

from django import forms
from django.db import models

from ppaos.registry import id_crypto


class EncryptedTextField(models.TextField):
    checks_max_length = True  # ppaos.lib.field_limits checks the plain text

    def from_db_value(self, value, expression, connection):
        if not value:
            return "" if value is not None or not self.null else None
        return id_crypto.decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or isinstance(value, models.expressions.Combinable):
            return value
        return id_crypto.encrypt_text(value)

    def formfield(self, **kwargs):
        # A one-line input, as the CharField it replaces, limited to max_length.
        return super().formfield(**{"widget": forms.TextInput, **kwargs})
