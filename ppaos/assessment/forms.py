from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ppaos.lib import safejson

MAX_DEFINITION_BYTES = 1_000_000


class IndicatorSetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Indicator set (JSON)"),
        help_text=_("A new version: its code and version must not be loaded yet."),
    )
    activate = forms.BooleanField(
        label=_("Use it for new surveys from now on"), required=False, initial=True
    )

    def clean_file(self) -> dict:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DEFINITION_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."))
        try:
            definition = safejson.loads(upload.read(), max_bytes=MAX_DEFINITION_BYTES)
        except safejson.JSONLimitError as e:
            raise ValidationError(_("This is not a JSON file: %(error)s") % {"error": e}) from e
        if not isinstance(definition, dict):
            raise ValidationError(_("The file must hold one JSON object."))
        return definition
