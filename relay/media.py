"""The ffmpeg command lines of the relay and the slate, and how they appear in logs.

No media passes through Python: ffmpeg copies the encoder's stream to Kuaishou as it is
(`-c copy`), or encodes the slate (the cover, looped, and silence) as cheaply as it can.
"""

import re
from typing import Any

SLATE_FPS = 5
# The slate matches what the encoder sent, so Kuaishou's player sees the same shape of stream.
DEFAULT_SHAPE = {"width": 720, "height": 1280, "sample_rate": 44100, "channels": 2}


def relay_command(play_url: str, push_url: str) -> list[str]:
    """Copy the stream on kslive's ingest to Kuaishou without re-encoding."""
    return ["ffmpeg", "-hide_banner", "-nostats", "-loglevel", "warning",
            # Kuaishou waits while this starts (after the slate, or a crash): the streams come from
            # the FLV metadata, the first frames are copied without waiting for a keyframe (about
            # 0.7 s from start to publishing, instead of up to a keyframe interval and a second).
            "-flv_metadata", "1", "-fflags", "nobuffer", "-analyzeduration", "200000", "-rw_timeout", "10000000",
            "-i", play_url, "-c", "copy", "-copyinkf", "-f", "flv", push_url]


def slate_command(cover_path: str, push_url: str, facts: dict[str, Any] | None) -> list[str]:
    """Feed Kuaishou the cover, looped, with silence, in the encoder's resolution and audio shape."""
    shape = {key: (facts or {}).get(key) or value for key, value in DEFAULT_SHAPE.items()}
    width, height = int(shape["width"]), int(shape["height"])
    layout = "mono" if int(shape["channels"]) == 1 else "stereo"
    picture = (f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
               f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p")
    return ["ffmpeg", "-hide_banner", "-nostats", "-loglevel", "warning", "-re",
            "-loop", "1", "-framerate", str(SLATE_FPS), "-i", cover_path,
            "-f", "lavfi", "-i", f"anullsrc=r={int(shape['sample_rate'])}:cl={layout}",
            "-vf", picture, "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage",
            "-r", str(SLATE_FPS), "-g", str(SLATE_FPS * 2), "-b:v", "300k",
            "-c:a", "aac", "-b:a", "32k", "-ar", str(int(shape["sample_rate"])), "-ac", str(int(shape["channels"])),
            "-f", "flv", push_url]


# A query ends at a blank, a quote or a colon (ffmpeg writes "<url>: <error>"): sign and key
# values (URL-safe base64) have none of them.
_QUERY = re.compile(r"(rtmps?://[^\s?]+)\?[^\s'\":]*")


def redacted(text: str | list[str]) -> str:
    """Return a command line (or ffmpeg's words) without the push URL's sign or the ingest key."""
    line = " ".join(text) if isinstance(text, list) else text
    return _QUERY.sub(r"\1?***", line)
