import io

import pytest
from django.utils import translation
from PIL import Image

from streams.covers import CoverError, make_cover
from streams.tests.images import bomb_png, picture


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


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
