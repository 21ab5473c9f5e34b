import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from streams import selectors
from streams.covers import FITS
from streams.models import LiveSession
from streams.services import GoLiveRequest

CAPTION_LIMIT = 13


class TrueFalseCheckbox(forms.CheckboxInput):
    """A checkbox that sends `true` and hands the field the raw text (Django's would read "0" as on)."""

    def __init__(self, attrs=None):
        super().__init__({"value": "true", **(attrs or {})}, check_test=lambda value: value in (True, "true"))

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.Field):
    """`true` or `false` (the checkbox sends `true`), absent is false; nothing else passes."""

    widget = TrueFalseCheckbox
    VALUES = {"true": True, "false": False, "": False}

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if text not in self.VALUES:
            raise ValidationError(_("Choose true or false."), code="invalid")
        return self.VALUES[text]

    def validate(self, value):
        pass  # false is a value, not a missing one


class GoLiveForm(forms.Form):
    """The going-live rules, one set for the page and the device API: both feed this form
    their fields (the multipart field names are the same) and get a GoLiveRequest back."""

    cover = forms.FileField(
        label=_("Cover picture"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 20 MB. We turn it into a 720×1280 portrait JPEG."),
    )
    cover_fit = forms.ChoiceField(
        label=_("Fit"),
        choices=[("crop", _("Crop to fill")), ("pad", _("Fit inside (black bars)"))],
        initial="crop",
        required=False,
        widget=forms.RadioSelect,
    )
    caption = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=CAPTION_LIMIT,
        strip=True,
        error_messages={"max_length": _("The title can have at most 13 characters (it has %(show_value)d).")},
        widget=forms.TextInput(attrs={"maxlength": CAPTION_LIMIT, "autocomplete": "off"}),
    )
    panoramic = forms.TypedChoiceField(
        label=_("Picture"),
        choices=LiveSession.Panoramic.choices,
        coerce=int,
        initial=0,
        required=False,
        empty_value=0,
        widget=forms.RadioSelect,
    )
    shop_live = StrictBooleanField(label=_("E-commerce live (shopping cart)"), required=False)
    device_name = forms.CharField(label=_("Device name"), required=False, max_length=64)
    relay = StrictBooleanField(
        label=_("Rehearse first"), required=False,
        help_text=_("Push to kslive first: check your encoder and watch a preview, then go live on Kuaishou "
                    "with one click. kslive keeps Kuaishou fed if your encoder drops."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reuse_cover = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, owner, idempotency_key: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.relay_available = bool(settings.KSLIVE_RELAY_INGEST_URL)
        if idempotency_key is None:
            self.fields["idempotency_key"].initial = uuid.uuid4().hex
        else:
            # The API's key comes in a header, not in the form.
            del self.fields["idempotency_key"]
            self.key = idempotency_key

    @property
    def submitted_key(self) -> str:
        return getattr(self, "key", None) or self.cleaned_data["idempotency_key"]

    def clean_relay(self):
        if self.cleaned_data["relay"] and not settings.KSLIVE_RELAY_INGEST_URL:
            raise ValidationError(_("Rehearsing is not available on this server."), code="relay_unavailable")
        return self.cleaned_data["relay"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("cover") and cleaned.get("reuse_cover") is None:
            self.add_error("cover", _("Choose a cover picture."))
        elif not cleaned.get("cover"):
            cleaned["cover_from"] = selectors.live_session_for(self.owner, cleaned["reuse_cover"], with_cover=True)
            if cleaned["cover_from"] is None:
                self.add_error("cover", _("Choose a cover picture."))
        return cleaned

    def go_live_request(self) -> GoLiveRequest:
        """Return what a valid form asks for; the cover is converted by the going-live service."""
        data = self.cleaned_data
        return GoLiveRequest(
            cover_upload=data.get("cover") or None,
            cover_from=data.get("cover_from"),
            cover_fit=data.get("cover_fit") or FITS[0],
            caption=data["caption"],
            panoramic=data["panoramic"],
            shop_live=data["shop_live"],
            device_name=data["device_name"],
            relay=data.get("relay", False),
        )
