"""Turn an uploaded picture into a cover Kuaishou accepts: a 720x1280 JPEG of at most 2 MB."""

import io
import math
import threading
import warnings

from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

# Only these decoders ever read an upload. Pillow's JPEG decoder also opens MPO, the JPEG
# that phones and drones write: its first picture is the photo, the others are previews.
DECODERS = ("JPEG", "PNG", "WEBP")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SIZE = (720, 1280)
MAX_COVER_BYTES = 2 * 1024 * 1024
FITS = ("crop", "pad")

# Pixel caps, read on the header before any pixel is decoded, keep one conversion under
# 150 MB; bench/covers.py measures it. 50 megapixels is more than any phone camera.
MAX_PIXELS = 50_000_000
# PNG decodes at full size, up to 4 bytes a pixel; Pillow's WebP decoder holds about 16
# (libwebp's two canvases, the frame it hands over, the picture) and copies of the file.
MAX_FORMAT_PIXELS = {"PNG": 24_000_000, "WEBP": 5_000_000}
# JPEG decodes at 1/2, 1/4 or 1/8 scale ("draft"); past this many decoded pixels (a wide
# panorama to crop), a coarser scale and a slightly upscaled cover rather than a refusal.
MAX_JPEG_DECODED_PIXELS = 12_000_000
# A JPEG in several scans (progressive) makes libjpeg hold every coefficient of the full
# picture, 2 bytes a sample, whatever the scale; so it decodes fewer pixels.
MAX_JPEG_COEFFICIENT_BYTES = 80 * 1024 * 1024
MAX_PROGRESSIVE_JPEG_DECODED_PIXELS = 8_000_000
# Conversion works on bands of about this many pixels, so that no full-size copy is made.
BAND_PIXELS = 1_000_000

# Conversions at once in one process: two cores' worth. A request waits this long for a
# slot, then hears that we are busy; nothing queues for longer.
CONVERSIONS_AT_ONCE = 2
SLOT_WAIT_SECONDS = 5
_slots = threading.BoundedSemaphore(CONVERSIONS_AT_ONCE)

# Other kinds of picture, known by their first bytes, so that the refusal names the kinds we
# take: GIF, TIFF, BMP, Photoshop, icon, JPEG 2000, JPEG XL; HEIC and AVIF start "....ftyp".
OTHER_PICTURES = (b"GIF8", b"II*\0", b"MM\0*", b"BM", b"8BPS", b"\0\0\1\0",
                  b"\0\0\0\x0cjP  ", b"\xffO\xffQ", b"\xff\n", b"\0\0\0\x0cJXL ")
TURNED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


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
    if not _slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise CoverError(_("kslive is busy converting other covers. Please try again in a moment."))
    try:
        image = _decode(data, fit)
        image = _on_white(_to_srgb(ImageOps.exif_transpose(image)))
        if fit == "pad":
            image = ImageOps.pad(image, SIZE, method=Image.Resampling.LANCZOS, color=(0, 0, 0))
        else:
            image = ImageOps.fit(image, SIZE, method=Image.Resampling.LANCZOS)
        return _encode(image)
    finally:
        _slots.release()


def _decode(data: bytes, fit: str) -> Image.Image:
    """Return the part of the picture the cover shows, in 8 bits, no larger than it needs."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=DECODERS) as image:
                limit = min(MAX_PIXELS, MAX_FORMAT_PIXELS.get(image.format, MAX_PIXELS))
                if image.width * image.height > limit:
                    raise _too_many_pixels(limit)
                if image.format in ("JPEG", "MPO"):
                    _draft(image, data, fit)
                image.load()
                return _shrink(image, *_region(image.size, _turned(image), fit))
    except CoverError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(MAX_PIXELS) from None
    except UnidentifiedImageError:
        if _another_kind_of_picture(data):
            raise CoverError(_("The cover must be a JPEG, PNG or WebP picture.")) from None
        raise CoverError(_("This file is not a picture we can read. Please choose a JPEG, PNG or WebP.")) from None
    except (OSError, SyntaxError, ValueError):
        raise CoverError(_("This file is not a picture we can read. Please choose a JPEG, PNG or WebP.")) from None


def _another_kind_of_picture(data: bytes) -> bool:
    svg = data[:256].lstrip().startswith((b"<svg", b"<?xml"))
    return data.startswith(OTHER_PICTURES) or data[4:8] == b"ftyp" or svg


def _turned(image: Image.Image) -> bool:
    return image.getexif().get(ExifTags.Base.Orientation) in TURNED


def _too_many_pixels(limit: float) -> CoverError:
    return CoverError(
        _("The picture has too many pixels (more than %(megapixels)d megapixels). Please choose a smaller one.")
        % {"megapixels": limit // 1_000_000}
    )


def _draft(image: ImageFile.ImageFile, data: bytes, fit: str) -> None:
    """Have libjpeg decode the JPEG at the scale the cover needs, or refuse it from its header."""
    most = MAX_JPEG_DECODED_PIXELS
    if _in_several_scans(image, data):
        # Each component holds 2 bytes a sample; subsampled ones have fewer samples.
        full = max(h for _, h, _, _ in image.layer) * max(v for _, _, v, _ in image.layer)
        bytes_per_pixel = 2 * sum(h * v for _, h, v, _ in image.layer) / full
        if image.width * image.height * bytes_per_pixel > MAX_JPEG_COEFFICIENT_BYTES:
            raise _too_many_pixels(MAX_JPEG_COEFFICIENT_BYTES / bytes_per_pixel)
        most = MAX_PROGRESSIVE_JPEG_DECODED_PIXELS
    # A JPEG's EXIF comes before its pixels (a PNG's may not: asking for it loads them).
    scale = next(scale for scale in (8, 4, 2, 1) if scale <= _region(image.size, _turned(image), fit)[1])
    while scale < 8 and math.ceil(image.width / scale) * math.ceil(image.height / scale) > most:
        scale *= 2
    image.draft("RGB", (max(1, image.width // scale), max(1, image.height // scale)))


def _in_several_scans(image: ImageFile.ImageFile, data: bytes) -> bool:
    """Say whether libjpeg must buffer the whole JPEG: progressive, or a first scan without every component."""
    if image.info.get("progressive"):
        return True
    at = 2
    while at + 4 < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker == 0xDA:  # start of scan: how many components it carries
            return data[at + 4] < len(image.layer)
        else:
            at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return True


def _region(size: tuple[int, int], turned: bool, fit: str) -> tuple[tuple[int, int, int, int], int]:
    """Return the box of the picture the cover shows, and how many times it can shrink and still fill it."""
    width, height = size
    shown_width, shown_height = (height, width) if turned else (width, height)
    if fit == "pad":
        return (0, 0, width, height), max(1, int(max(shown_width / SIZE[0], shown_height / SIZE[1])))
    # The centred part with the cover's shape; turning the picture keeps it centred.
    keep_width = min(shown_width, round(shown_height * SIZE[0] / SIZE[1]))
    keep_height = min(shown_height, round(shown_width * SIZE[1] / SIZE[0]))
    shrink = max(1, int(min(keep_width / SIZE[0], keep_height / SIZE[1])))
    if turned:
        keep_width, keep_height = keep_height, keep_width
    left, top = (width - keep_width) // 2, (height - keep_height) // 2
    return (left, top, left + keep_width, top + keep_height), shrink


def _shrink(image: Image.Image, box: tuple[int, int, int, int], factor: int) -> Image.Image:
    """Return the box of the picture in 8 bits, factor times smaller, converting one band at a time."""
    left, top, right, bottom = box
    rows = factor * max(1, BAND_PIXELS // (right - left) // factor)
    shrunk = None
    for y in range(top, bottom, rows):
        band = _eight_bit(image.crop((left, y, right, min(y + rows, bottom))))
        if factor > 1:
            band = band.reduce(factor)
        if shrunk is None:
            shrunk = Image.new(band.mode, (band.width, math.ceil((bottom - top) / factor)))
        shrunk.paste(band, (0, (y - top) // factor))
    shrunk.info = dict(image.info)  # orientation and colour profile
    return shrunk


def _eight_bit(image: Image.Image) -> Image.Image:
    """Return the picture as L, RGB, RGBA or CMYK, keeping its grey levels and transparency."""
    if image.mode in ("L", "RGB", "RGBA", "CMYK"):
        return image
    if image.mode.startswith("I;16"):
        # Pillow's own conversion clips at 255, so 16-bit grey turns white: keep the high byte.
        return Image.frombytes("L", image.size, image.tobytes(), "raw", "L;16B" if image.mode == "I;16B" else "L;16")
    if image.mode == "I":  # 16-bit grey held in 32 bits
        return image.point(lambda value: value / 257).convert("L")
    if image.mode in ("1", "F"):
        return image.convert("L")
    if image.mode in ("LA", "PA") or image.has_transparency_data:
        return image.convert("RGBA")
    return image.convert("RGB")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Return the picture as RGB or RGBA in sRGB, from its own colour profile when it has one."""
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    if profile := image.info.get("icc_profile"):
        try:
            embedded = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(image, embedded, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # A broken profile, or one for other colours: the plain conversion below.
    return image.convert(mode)


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    # Kuaishou's cover is a JPEG, which has no transparency: lay it on white.
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _encode(image: Image.Image) -> bytes:
    # Nothing of the upload's metadata goes on: no EXIF (GPS), XMP, comment or profile.
    image.info = {}
    for quality in (90, 85, 80, 70, 60, 50):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        if buffer.tell() <= MAX_COVER_BYTES:
            return buffer.getvalue()
    raise CoverError(_("The picture cannot be made small enough for Kuaishou (2 MB)."))


# A truncated upload must fail loudly, not become a half-grey cover.
ImageFile.LOAD_TRUNCATED_IMAGES = False
