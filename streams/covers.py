"""Turn an uploaded picture into a cover Kuaishou accepts: a 720x1280 JPEG of at most 2 MB."""

import io
import warnings

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# 50 megapixels is more than any phone camera; past that, refuse before decoding.
MAX_PIXELS = 50_000_000
SIZE = (720, 1280)
MAX_COVER_BYTES = 2 * 1024 * 1024
FITS = ("crop", "pad")


class CoverError(ValueError):
    """The upload cannot become a cover; the message says why, for the person."""


def make_cover(upload, *, fit: str = "crop") -> bytes:
    """Return JPEG bytes for Kuaishou from an uploaded JPEG, PNG or WebP file object."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise CoverError(_("The picture is larger than 20 MB. Please choose a smaller one."))
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise CoverError(_("The picture is larger than 20 MB. Please choose a smaller one."))
    image = _open(data)
    image = _as_rgb(ImageOps.exif_transpose(image))
    if fit == "pad":
        image = ImageOps.pad(image, SIZE, method=Image.Resampling.LANCZOS, color=(0, 0, 0))
    else:
        image = ImageOps.fit(image, SIZE, method=Image.Resampling.LANCZOS)
    return _encode(image)


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            # Checked on the header alone, before any pixel is decoded.
            if image.format not in ACCEPTED_FORMATS:
                raise CoverError(_("The cover must be a JPEG, PNG or WebP picture."))
            if image.width * image.height > MAX_PIXELS:
                raise CoverError(_("The picture has too many pixels (more than 50 megapixels)."))
            image.load()
    except CoverError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise CoverError(_("The picture has too many pixels (more than 50 megapixels).")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise CoverError(_("This file is not a picture we can read. Please choose a JPEG, PNG or WebP.")) from None
    return image


def _as_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        # Kuaishou's cover is a JPEG, which has no transparency: lay it on white.
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image) -> bytes:
    for quality in (90, 85, 80, 70, 60, 50):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        if buffer.tell() <= MAX_COVER_BYTES:
            return buffer.getvalue()
    raise CoverError(_("The picture cannot be made small enough for Kuaishou (2 MB)."))


# A truncated upload must fail loudly, not become a half-grey cover.
ImageFile.LOAD_TRUNCATED_IMAGES = False
