"""Pictures made on the fly for cover tests."""

import io
import struct
import zlib

from PIL import Image


def picture(size=(800, 1200), mode="RGB", fmt="JPEG", color=(200, 80, 40), **save):
    image = Image.new(mode, size, color)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    buffer.seek(0)
    buffer.name = f"cover.{fmt.lower()}"
    return buffer


def jpeg(size=(800, 1200), **kw):
    return picture(size, **kw)


def bomb_png(width=30000, height=30000, *, rgba=False):
    """Return a tiny PNG whose header claims width x height pixels (a decompression bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    depth, colour = (8, 6) if rgba else (1, 0)
    rows = zlib.compress(b"\0" * (1 + width // 8), 9)  # one row; the rest would be decoded from the claim
    buffer = io.BytesIO(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
        + chunk(b"IDAT", rows)
        + chunk(b"IEND", b"")
    )
    buffer.name = "bomb.png"
    return buffer


def jpeg_header(width, height, *, first_scan_components=3, progressive=False):
    """Return the start of a 4:4:4 colour JPEG, up to its first scan's header, and no pictures after."""
    def segment(marker, data):
        return marker + struct.pack(">H", len(data) + 2) + data

    components = b"".join(bytes([index, 0x11, 0]) for index in (1, 2, 3))
    frame = segment(b"\xff\xc2" if progressive else b"\xff\xc0", struct.pack(">BHHB", 8, height, width, 3) + components)
    scan_components = b"".join(bytes([index, 0]) for index in range(1, first_scan_components + 1))
    scan = segment(b"\xff\xda", bytes([first_scan_components]) + scan_components + b"\x00\x3f\x00")
    buffer = io.BytesIO(b"\xff\xd8" + frame + scan + b"\x00" * 64 + b"\xff\xd9")
    buffer.name = "header.jpg"
    return buffer


def mpo(size=(1600, 1200), colors=((220, 20, 20), (20, 20, 220))):
    """Return an MPO as drones and 3D phones write it: the photo, then another picture."""
    first, *others = (Image.new("RGB", size, color) for color in colors)
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=others)
    buffer.seek(0)
    buffer.name = "DJI_0001.jpg"
    return buffer


def display_p3_profile() -> bytes:
    """Return a small ICC v4 profile for Display P3: P3 primaries, D65 white, the sRGB curve."""
    def numbers(*values):
        return b"".join(struct.pack(">i", round(value * 65536)) for value in values)  # s15Fixed16

    def text(value):
        encoded = value.encode("utf-16-be")
        return b"mluc" + struct.pack(">IIIHHII", 0, 1, 12, 0x656E, 0x5553, len(encoded), 28) + encoded

    def xyz(*values):
        return b"XYZ \0\0\0\0" + numbers(*values)

    curve = b"para\0\0\0\0" + struct.pack(">HH", 3, 0) + numbers(2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
    # The primaries adapted to ICC's D50, as in Apple's Display P3 profile.
    tags = [(b"desc", text("Display P3 (kslive tests)")), (b"cprt", text("No copyright")),
            (b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(0.5151, 0.2412, -0.0010)),
            (b"gXYZ", xyz(0.2919, 0.6922, 0.0419)), (b"bXYZ", xyz(0.1572, 0.0666, 0.7845)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    table, body = b"", b""
    start = 128 + 4 + 12 * len(tags)
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", start + len(body), len(data))
        body += data
    header = (struct.pack(">I4sI4s4s4s", start + len(body), b"", 0x04300000, b"mntr", b"RGB ", b"XYZ ")
              + b"\0" * 12 + b"acsp" + b"\0" * 28 + numbers(0.9642, 1.0, 0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + body
