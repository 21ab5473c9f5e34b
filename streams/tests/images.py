"""Pictures made on the fly for cover tests."""

import io

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


def bomb_png(width=30000, height=30000):
    """Return a tiny PNG whose header claims width x height pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\0" * (1 + width // 8), 9)  # one row; the rest would be decoded from the claim
    buffer = io.BytesIO(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", rows)
        + chunk(b"IEND", b"")
    )
    buffer.name = "bomb.png"
    return buffer
