import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from streams import selectors
from streams.covers import FITS, CoverError, make_cover
from streams.models import LiveSession

CAPTION_LIMIT = 13


def live_session_fields(cleaned_data) -> dict:
    """Return the going-live service's arguments from a valid GoLiveForm's data."""
    return {
        "cover": cleaned_data["cover_jpeg"],
        "caption": cleaned_data["caption"],
        "panoramic": cleaned_data["panoramic"],
        "shop_live": cleaned_data["shop_live"],
        "device_name": cleaned_data["device_name"],
    }


class GoLiveForm(forms.Form):
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
        widget=forms.RadioSelect,
    )
    shop_live = forms.BooleanField(label=_("E-commerce live (shopping cart)"), required=False)
    device_name = forms.CharField(label=_("Device name"), required=False, max_length=64)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reuse_cover = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def clean(self):
        cleaned = super().clean()
        upload, fit = cleaned.get("cover"), cleaned.get("cover_fit") or "crop"
        if fit not in FITS:
            fit = "crop"
        if upload:
            try:
                cleaned["cover_jpeg"] = make_cover(upload, fit=fit)
            except CoverError as exc:
                self.add_error("cover", str(exc))
        elif cleaned.get("reuse_cover"):
            previous = selectors.live_session_for(self.owner, cleaned["reuse_cover"], with_cover=True)
            if previous is None:
                self.add_error("cover", _("Choose a cover picture."))
            else:
                cleaned["cover_jpeg"] = bytes(previous.cover)
        else:
            self.add_error("cover", _("Choose a cover picture."))
        return cleaned
