from django import forms
from django.utils.translation import gettext_lazy as _


class DeviceTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Device name"),
        max_length=64,
        strip=True,
        help_text=_("For example “DJI Mini 4 Pro” or “roof camera”: it tells your tokens apart."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
