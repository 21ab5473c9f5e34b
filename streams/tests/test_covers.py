import io
import threading

import pytest
from django.utils import translation
from PIL import GifImagePlugin, Image, ImageFile, JpegImagePlugin

from streams import covers
from streams.covers import CoverError, make_cover
from streams.tests.images import bomb_png, display_p3_profile, jpeg_header, mpo, picture


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def saved(image: Image.Image, fmt="PNG", **options) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    buffer.seek(0)
    return buffer


@pytest.fixture
def loads(monkeypatch):
    """Record the pictures whose pixels get decoded."""
    loaded = []
    load = ImageFile.ImageFile.load

    def spy(image):
        loaded.append(image.format)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return loaded


@pytest.fixture
def drafts(monkeypatch):
    """Record the size each JPEG is decoded at."""
    sizes = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(image, mode, size):
        result = draft(image, mode, size)
        sizes.append(image.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    return sizes


def test_a_landscape_photo_becomes_a_720x1280_jpeg_under_2_mb():
    noisy = Image.effect_noise((4000, 3000), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG", quality=95)
    buffer.seek(0)

    cover = make_cover(buffer)

    image = opened(cover)
    assert image.format == "JPEG"
    assert image.size == (720, 1280)
    assert image.mode == "RGB"
    assert len(cover) <= 2 * 1024 * 1024


def test_padding_keeps_the_whole_picture_inside_black_bars():
    cover = opened(make_cover(picture((1600, 900), color=(255, 255, 255)), fit="pad"))

    assert cover.size == (720, 1280)
    assert cover.getpixel((360, 5))[0] < 20  # bar above
    assert cover.getpixel((360, 640))[0] > 235  # the picture


def test_a_png_with_transparency_is_laid_on_white():
    cover = opened(make_cover(picture((720, 1280), mode="RGBA", fmt="PNG", color=(0, 0, 0, 0))))

    assert cover.mode == "RGB"
    assert min(cover.getpixel((360, 640))) > 235


def test_a_cmyk_jpeg_becomes_rgb():
    cover = opened(make_cover(picture((720, 1280), mode="CMYK", color=(0, 255, 255, 0))))

    assert cover.mode == "RGB"
    red, green, blue = cover.getpixel((360, 640))
    assert red > 200 and green < 60 and blue < 60


def test_webp_is_accepted():
    cover = opened(make_cover(picture((720, 1280), fmt="WEBP")))

    assert cover.size == (720, 1280)


def test_exif_rotation_is_applied():
    image = Image.new("RGB", (1280, 720), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    buffer.seek(0)

    cover = opened(make_cover(buffer, fit="pad"))

    # Displayed upright, the picture is portrait: it fills the frame, no bars.
    assert cover.getpixel((360, 5))[1] > 150


def test_metadata_is_not_passed_on():
    image = Image.new("RGB", (720, 1280))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    buffer.seek(0)

    assert b"SecretCam" not in make_cover(buffer)


@pytest.mark.parametrize(
    "upload, message",
    [
        (io.BytesIO(b"%PDF-1.4 not a picture"), "not a picture"),
        (picture((64, 64), fmt="GIF"), "JPEG, PNG or WebP"),
        (io.BytesIO(b"\xff\xd8\xff\xe0" + b"\0" * 100), "not a picture"),
    ],
    ids=["pdf", "gif", "truncated-jpeg"],
)
def test_what_is_not_a_usable_picture_is_refused_by_name(upload, message):
    with pytest.raises(CoverError, match=message):
        make_cover(upload)


def test_a_30_mb_file_is_refused_before_decoding():
    upload = io.BytesIO(b"\xff\xd8\xff" + b"\0" * (30 * 1024 * 1024))
    upload.size = 30 * 1024 * 1024

    with pytest.raises(CoverError, match="20 MB"):
        make_cover(upload)


def test_a_30_mb_stream_without_a_size_is_refused_too():
    with pytest.raises(CoverError, match="20 MB"):
        make_cover(io.BytesIO(b"\0" * (30 * 1024 * 1024)))


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = bomb_png(30000, 30000)
    assert len(bomb.getvalue()) < 10_000

    with pytest.raises(CoverError, match="too many pixels"):
        make_cover(bomb)


def test_a_picture_over_the_pixel_limit_is_refused():
    big = bomb_png(8000, 7000)

    with pytest.raises(CoverError, match="too many pixels"):
        make_cover(big)


def test_a_drone_mpo_jpeg_becomes_a_cover():
    cover = opened(make_cover(mpo(colors=((220, 20, 20), (20, 20, 220)))))

    assert cover.size == (720, 1280)
    red, green, blue = cover.getpixel((360, 640))
    assert red > 200 and blue < 60  # the photo, not the picture after it


def test_a_gif_is_refused_before_decoding(monkeypatch, loads):
    """Not even the GIF parser reads it: only our three decoders ever see an upload."""
    parsed = []
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_open", lambda image: parsed.append(image))

    with pytest.raises(CoverError, match="The cover must be a JPEG, PNG or WebP picture"):
        make_cover(picture((64, 64), fmt="GIF"))

    assert parsed == [] and loads == []


@pytest.mark.parametrize(
    "upload",
    [
        picture((64, 64), fmt="TIFF"),
        picture((64, 64), fmt="BMP"),
        io.BytesIO(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64),
        io.BytesIO(b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ],
    ids=["tiff", "bmp", "heic", "svg"],
)
def test_other_kinds_of_picture_are_refused_naming_the_kinds_we_take(upload):
    with pytest.raises(CoverError, match="The cover must be a JPEG, PNG or WebP picture"):
        make_cover(upload)


def test_a_7000_square_rgba_png_is_refused_or_reduced_within_bounds(loads):
    """Decoded, it would take 196 MB; its header alone refuses it."""
    with pytest.raises(CoverError, match=r"too many pixels \(more than 24 megapixels\)\. Please choose a smaller one"):
        make_cover(bomb_png(7000, 7000, rgba=True))

    assert loads == []


@pytest.mark.parametrize(
    "size, orientation, fit, decoded",
    [
        ((4000, 3000), 1, "crop", (2000, 1500)),  # 1/2: 1500 rows still cover 1280
        ((4000, 3000), 1, "pad", (1000, 750)),  # 1/4: 1000 columns still fill 720
        ((6000, 3000), 6, "crop", (1500, 750)),  # upright it is 3000x6000: 1/4
    ],
)
def test_a_big_jpeg_is_decoded_in_draft_mode(drafts, size, orientation, fit, decoded):
    exif = Image.Exif()
    exif[0x0112] = orientation

    cover = opened(make_cover(saved(Image.new("RGB", size, (9, 99, 9)), "JPEG", exif=exif.tobytes()), fit=fit))

    assert drafts == [decoded]
    assert cover.size == (720, 1280)


@pytest.mark.parametrize("progressive, decoded", [(False, (2000, 500)), (True, (1000, 250))])
def test_a_wide_panorama_is_decoded_at_a_coarser_scale_rather_than_refused(monkeypatch, drafts, progressive, decoded):
    """Full size would decode 4 MP; a progressive JPEG, which also holds its coefficients, decodes fewer."""
    monkeypatch.setattr(covers, "MAX_JPEG_DECODED_PIXELS", 1_200_000)
    monkeypatch.setattr(covers, "MAX_PROGRESSIVE_JPEG_DECODED_PIXELS", 600_000)
    panorama = saved(Image.new("RGB", (4000, 1000), (9, 99, 9)), "JPEG", progressive=progressive)

    cover = opened(make_cover(panorama))

    assert drafts == [decoded]
    assert cover.size == (720, 1280)


def test_a_progressive_jpeg_is_held_to_its_coefficient_cap_and_a_baseline_one_is_not(monkeypatch):
    """libjpeg keeps every coefficient of a progressive JPEG: 3 MB here, at 4:2:0."""
    monkeypatch.setattr(covers, "MAX_JPEG_COEFFICIENT_BYTES", 2_000_000)
    photo = Image.new("RGB", (1000, 1000), (9, 99, 9))

    assert opened(make_cover(saved(photo, "JPEG"))).size == (720, 1280)
    with pytest.raises(CoverError, match="too many pixels"):
        make_cover(saved(photo, "JPEG", progressive=True))


def test_a_jpeg_whose_first_scan_lacks_a_component_is_held_to_the_coefficient_cap_too(loads):
    """A baseline JPEG in several scans is buffered whole like a progressive one: 168 MB here."""
    with pytest.raises(CoverError, match=r"too many pixels \(more than 13 megapixels\)"):
        make_cover(jpeg_header(7000, 4000, first_scan_components=1))

    assert loads == []


def test_a_16_bit_grey_png_keeps_its_grey():
    cover = opened(make_cover(saved(Image.new("I;16", (720, 1280), 0x8080))))

    assert cover.getpixel((360, 640)) == pytest.approx((128, 128, 128), abs=2)


@pytest.mark.parametrize(
    "image, grey",
    [
        (Image.new("1", (720, 1280), 1), 255),
        (Image.new("LA", (720, 1280), (0, 0)), 255),  # transparent: white
        (Image.new("LA", (720, 1280), (100, 255)), 100),
    ],
    ids=["1", "LA-clear", "LA-opaque"],
)
def test_grey_pngs_of_every_mode_keep_their_grey(image, grey):
    cover = opened(make_cover(saved(image)))

    assert cover.getpixel((360, 640)) == pytest.approx((grey, grey, grey), abs=2)


@pytest.mark.parametrize(
    "image, grey",
    [
        (Image.new("I", (8, 8), 0x4040), 64),
        (Image.new("I;16B", (8, 8), 0x4040), 64),
        (Image.new("F", (8, 8), 64.0), 64),
    ],
    ids=["I", "I;16B", "F"],
)
def test_wide_modes_no_upload_decodes_to_yet_keep_their_grey(image, grey):
    """Our decoders give none of these modes (16-bit grey PNG is I;16), so the seam is tested."""
    assert covers._eight_bit(image).getpixel((4, 4)) == grey


def test_a_palette_png_with_a_transparent_colour_is_laid_on_white():
    image = Image.new("P", (720, 1280), 1)
    image.putpalette([0, 0, 0, 10, 200, 10])

    cover = opened(make_cover(saved(image, transparency=1)))

    assert min(cover.getpixel((360, 640))) > 245


def test_a_display_p3_photo_is_converted_to_srgb():
    """Pillow cannot make a P3 profile, so images.py writes one from P3's primaries.

    P3 (200, 100, 50) is sRGB (215, 93, 31), by the published P3 and sRGB matrices.
    """
    photo = saved(Image.new("RGB", (720, 1280), (200, 100, 50)), "JPEG", quality=95, icc_profile=display_p3_profile())

    cover = opened(make_cover(photo))

    assert cover.getpixel((360, 640)) == pytest.approx((215, 93, 31), abs=3)
    assert "icc_profile" not in cover.info  # no profile means sRGB


def test_a_broken_colour_profile_leaves_the_colours_as_they_are():
    photo = saved(Image.new("RGB", (720, 1280), (200, 100, 50)), "JPEG", quality=95, icc_profile=b"not a profile" * 20)

    cover = opened(make_cover(photo))

    assert cover.getpixel((360, 640)) == pytest.approx((200, 100, 50), abs=3)


def test_the_jpeg_comment_is_gone():
    photo = saved(Image.new("RGB", (720, 1280)), "JPEG", comment=b"Shot at 12 Secret Street")

    assert b"Secret Street" not in make_cover(photo)


def test_gps_exif_is_gone():
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (31.0, 14.0, 0.0)  # GPSLatitude
    exif[0x010F] = "DroneMaker"
    cover = make_cover(saved(Image.new("RGB", (720, 1280)), "JPEG", exif=exif.tobytes()))

    assert not opened(cover).getexif()
    assert b"Exif" not in cover and b"DroneMaker" not in cover


def test_xmp_is_gone():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/>SecretPlace</x:xmpmeta>'

    cover = make_cover(saved(Image.new("RGB", (720, 1280)), "JPEG", xmp=xmp))

    assert b"SecretPlace" not in cover and b"xmpmeta" not in cover


def test_a_third_concurrent_conversion_waits_then_says_busy(monkeypatch):
    monkeypatch.setattr(covers, "SLOT_WAIT_SECONDS", 0.05)
    every_slot_taken = threading.Barrier(covers.CONVERSIONS_AT_ONCE + 1, timeout=10)
    finish = threading.Event()
    decode = covers._decode

    def held(data, fit):
        every_slot_taken.wait()
        finish.wait(timeout=10)
        return decode(data, fit)

    monkeypatch.setattr(covers, "_decode", held)
    made = []
    workers = [threading.Thread(target=lambda: made.append(make_cover(picture())))
               for _ in range(covers.CONVERSIONS_AT_ONCE)]
    for worker in workers:
        worker.start()
    every_slot_taken.wait()
    try:
        with pytest.raises(CoverError, match="kslive is busy converting other covers. Please try again in a moment."):
            make_cover(picture())
    finally:
        finish.set()
        for worker in workers:
            worker.join(timeout=10)

    assert len(made) == covers.CONVERSIONS_AT_ONCE


def test_a_waiting_conversion_takes_the_slot_that_frees(monkeypatch):
    finish, waiting = threading.Event(), threading.Event()
    decode = covers._decode

    def held(data, fit):
        finish.wait(timeout=10)
        return decode(data, fit)

    class Slots(threading.BoundedSemaphore):
        def acquire(self, *args, **kwargs):
            if not super().acquire(blocking=False):
                waiting.set()
                return super().acquire(*args, **kwargs)
            return True

    monkeypatch.setattr(covers, "SLOT_WAIT_SECONDS", 30)
    monkeypatch.setattr(covers, "_slots", Slots(covers.CONVERSIONS_AT_ONCE))
    monkeypatch.setattr(covers, "_decode", held)
    made = []
    workers = [threading.Thread(target=lambda: made.append(make_cover(picture())))
               for _ in range(covers.CONVERSIONS_AT_ONCE + 1)]
    for worker in workers:
        worker.start()
    assert waiting.wait(timeout=10)  # one of them found every slot taken
    finish.set()
    for worker in workers:
        worker.join(timeout=10)

    assert len(made) == covers.CONVERSIONS_AT_ONCE + 1


def test_a_refused_picture_gives_its_slot_back(monkeypatch):
    monkeypatch.setattr(covers, "SLOT_WAIT_SECONDS", 0.05)
    for _ in range(covers.CONVERSIONS_AT_ONCE + 1):
        with pytest.raises(CoverError, match="not a picture"):
            make_cover(io.BytesIO(b"\xff\xd8\xff\xe0" + b"\0" * 100))

    assert opened(make_cover(picture())).size == (720, 1280)
