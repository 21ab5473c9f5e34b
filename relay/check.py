"""The encoder check: what ffprobe reads from the incoming stream, and how it grades for Kuaishou.

`probe()` runs ffprobe on the stream (RTMP playback from loopback) and returns its facts, in
no language; `grade()` turns facts into rows (green, amber or red, with what to change in OBS)
at read time, in the reader's language.
"""

import json
import subprocess
from dataclasses import asdict, dataclass
from typing import Any
from fractions import Fraction
from itertools import pairwise

from django.utils.translation import gettext as _

GREEN, AMBER, RED = "green", "amber", "red"
LEVELS = (GREEN, AMBER, RED)
# Seconds of packets read: enough for two keyframes at the advised interval of 2 s.
PROBE_SECONDS = 5
ENTRIES = ("stream=index,codec_type,codec_name,profile,width,height,avg_frame_rate,sample_rate,channels"
           ":packet=stream_index,pts_time,flags,size")


class ProbeFailed(Exception):
    """ffprobe could not read the stream (it went away, or is not a stream)."""


def probe_command(url: str, seconds: float = PROBE_SECONDS) -> list[str]:
    return ["ffprobe", "-v", "error", "-rw_timeout", "8000000", "-read_intervals", f"%+{seconds:g}",
            "-show_entries", ENTRIES, "-of", "json", url]


def probe(url: str, seconds: float = PROBE_SECONDS) -> dict[str, Any]:
    """Read a few seconds of the stream with ffprobe; return its facts (see `facts`)."""
    try:
        done = subprocess.run(probe_command(url, seconds), capture_output=True, text=True, timeout=seconds + 20)
    except subprocess.TimeoutExpired:
        raise ProbeFailed("ffprobe timed out") from None
    if done.returncode != 0:
        # The URL has no secret (the loopback play URL), but the stream name stays out anyway.
        raise ProbeFailed(f"ffprobe exited with {done.returncode}")
    return facts(json.loads(done.stdout or "{}"))


def _rate(text: str | None) -> float | None:
    try:
        value = Fraction(text or "")
    except (ValueError, ZeroDivisionError):
        return None
    return float(value) if value else None


def facts(report: dict[str, Any]) -> dict[str, Any]:
    """Return what matters in an ffprobe JSON report (streams and packets)."""
    streams = report.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    packets = report.get("packets") or []

    def of(stream: dict[str, Any] | None) -> list[dict[str, Any]]:
        if stream is None:
            return []
        return [p for p in packets if p.get("stream_index") == stream.get("index") and p.get("pts_time") is not None]

    def kbps(stream_packets: list[dict[str, Any]]) -> float | None:
        if len(stream_packets) < 2:
            return None
        span = float(stream_packets[-1]["pts_time"]) - float(stream_packets[0]["pts_time"])
        if span <= 0:
            return None
        # The last packet's duration is not in the span: leave its size out too.
        bits = sum(int(p.get("size") or 0) for p in stream_packets[:-1]) * 8
        return round(bits / span / 1000, 1)

    result: dict[str, Any] = {"video_codec": None, "audio_codec": None}
    video_packets = of(video)
    if video is not None:
        times = [float(p["pts_time"]) for p in video_packets]
        span = (times[-1] - times[0]) if len(times) > 1 else 0.0
        keys = [float(p["pts_time"]) for p in video_packets if "K" in (p.get("flags") or "")]
        gaps = [b - a for a, b in pairwise(keys)]
        fps = (len(times) - 1) / span if span > 0 else _rate(video.get("avg_frame_rate"))
        result.update(
            video_codec=video.get("codec_name"), video_profile=video.get("profile"),
            width=video.get("width"), height=video.get("height"),
            fps=round(fps, 2) if fps else None,
            # Two keyframes give the interval; one only says it is longer than what followed it.
            keyframe_interval=round(max(gaps), 2) if gaps else None,
            keyframe_interval_over=None if gaps else round(times[-1] - keys[0], 2) if keys and times else 0.0,
            video_kbps=kbps(video_packets), seconds=round(span, 2),
        )
    if audio is not None:
        result.update(audio_codec=audio.get("codec_name"), sample_rate=int(audio.get("sample_rate") or 0) or None,
                      channels=audio.get("channels"), audio_kbps=kbps(of(audio)))
    return result


@dataclass(frozen=True)
class Row:
    item: str
    label: str
    value: str
    level: str
    advice: str = ""


def grade(f: dict[str, Any]) -> list[Row]:
    """Return the check's rows for these facts, in the current language."""
    if not f:
        return []
    rows = []
    codec = f.get("video_codec")
    if codec == "h264":
        rows.append(Row("video_codec", _("Video"), "H.264", GREEN))
    else:
        rows.append(Row("video_codec", _("Video"), (codec or _("none")).upper(), RED,
                        _("Kuaishou needs H.264: in OBS, Settings → Output → Encoder: x264 (or NVENC H.264).")))
    audio = f.get("audio_codec")
    if audio == "aac":
        rows.append(Row("audio_codec", _("Audio"), "AAC", GREEN))
    elif audio is None:
        rows.append(Row("audio_codec", _("Audio"), _("none"), RED,
                        _("No sound: add an audio source (a microphone or desktop audio) in OBS.")))
    else:
        rows.append(Row("audio_codec", _("Audio"), audio.upper(), RED,
                        _("Kuaishou needs AAC audio: in OBS, Settings → Output → Audio Encoder: AAC.")))
    if codec is None:
        return rows
    width, height = f.get("width") or 0, f.get("height") or 0
    size = f"{width}×{height}"
    if (width, height) == (720, 1280):
        rows.append(Row("resolution", _("Picture"), _("%(size)s portrait") % {"size": size}, GREEN))
    elif height > width:
        rows.append(Row("resolution", _("Picture"), _("%(size)s portrait") % {"size": size}, AMBER,
                        _("720×1280 is advised: in OBS, Settings → Video → Output (Scaled) Resolution 720x1280.")))
    else:
        rows.append(Row("resolution", _("Picture"), _("%(size)s landscape") % {"size": size}, AMBER,
                        _("Kuaishou is watched on phones, upright: in OBS, Settings → Video, set both resolutions "
                          "to 720x1280.")))
    fps = f.get("fps")
    value = _("%(fps)s fps") % {"fps": f"{fps:g}"} if fps else "?"
    if fps and 24 <= fps <= 31:
        rows.append(Row("fps", _("Frame rate"), value, GREEN))
    elif fps and 15 <= fps <= 61:
        rows.append(Row("fps", _("Frame rate"), value, AMBER,
                        _("25 or 30 fps is advised: in OBS, Settings → Video → Common FPS Values.")))
    else:
        rows.append(Row("fps", _("Frame rate"), value, RED,
                        _("Too few frames: in OBS, Settings → Video → Common FPS Values: 30.")))
    interval, over = f.get("keyframe_interval"), f.get("keyframe_interval_over")
    advice = _("In OBS, Settings → Output (Advanced) → Keyframe Interval: 2 s.")
    if interval is not None:
        value = _("every %(seconds)s s") % {"seconds": f"{interval:g}"}
        # A little over 2 s is the encoder's rounding at 29.97 fps, not a setting.
        level = GREEN if interval <= 2.1 else AMBER if interval <= 4.1 else RED
    else:
        value = _("over %(seconds)s s") % {"seconds": f"{over or 0:g}"}
        level = RED
    rows.append(Row("keyframe_interval", _("Keyframes"), value, level, "" if level == GREEN else advice))
    kbps = (f.get("video_kbps") or 0) + (f.get("audio_kbps") or 0)
    value = _("%(kbps)s kbit/s") % {"kbps": f"{kbps:.0f}"}
    if 500 <= kbps <= 6000:
        rows.append(Row("bitrate", _("Bitrate"), value, GREEN))
    elif kbps > 6000:
        rows.append(Row("bitrate", _("Bitrate"), value, AMBER,
                        _("More than phones need: in OBS, Settings → Output → Bitrate: 2500 to 4000 Kbps.")))
    else:
        rows.append(Row("bitrate", _("Bitrate"), value, AMBER if kbps >= 200 else RED,
                        _("A low bitrate looks blurred: in OBS, Settings → Output → Bitrate: 2500 Kbps (CBR).")))
    return rows


def overall(rows: list[Row]) -> str | None:
    """Return the worst level of the rows (None when nothing was checked yet)."""
    if not rows:
        return None
    return max((row.level for row in rows), key=LEVELS.index)


def as_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]
