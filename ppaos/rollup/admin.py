from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from ppaos.rollup import signing
from ppaos.rollup.models import Package, ProvinceKey


class ProvinceKeyForm(forms.ModelForm):
    class Meta:
        model = ProvinceKey
        fields = ("province_code", "public_key", "note")

    def clean_province_code(self) -> str:
        code = self.cleaned_data["province_code"]
        if not (len(code) == 2 and code.isdigit()):
            raise forms.ValidationError(_("A province code is two digits (DOPA), e.g. 10."))
        return code

    def clean_public_key(self) -> str:
        try:
            key = signing.public_key_parse(self.cleaned_data["public_key"])
        except signing.KeyFileError as error:
            raise forms.ValidationError(str(error)) from None
        self.instance.fingerprint = signing.fingerprint(key)
        return signing.public_pem(key).decode("ascii")


@admin.register(ProvinceKey)
class ProvinceKeyAdmin(admin.ModelAdmin):
    """Registering a province's key here is the same as `ppaos rollup trust`."""

    form = ProvinceKeyForm
    list_display = ("province_code", "fingerprint", "registered_at", "note")
    readonly_fields = ("fingerprint", "registered_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "province_code") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Through the service, like `ppaos rollup trust` (one audit row)."""
        from ppaos.rollup.services import province_key_register

        record = province_key_register(
            province_code=obj.province_code,
            public_key_pem=obj.public_key,
            note=obj.note,
            actor=request.user,
        )
        obj.pk, obj.fingerprint, obj.registered_at = (
            record.pk,
            record.fingerprint,
            record.registered_at,
        )


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ("province_code", "period", "generated_at", "imported_at", "areas_count")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
