from django import forms
from django.utils.translation import gettext_lazy as _

from api import callbacks


class DeviceTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Device name"),
        max_length=64,
        strip=True,
        help_text=_("For example “DJI Mini 4 Pro” or “roof camera”: it tells your tokens apart."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Callback URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("kslive POSTs every status change of your lives here, signed with the webhook's secret."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "placeholder": "https://"}),
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            callbacks.check_url(url)
        except callbacks.Refused as exc:
            raise forms.ValidationError(str(exc), code="refused") from None
        return url
