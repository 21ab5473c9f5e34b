"""The encoder check grades what ffprobe read (fixtures: real ffprobe JSON of short clips)."""

import json
from pathlib import Path

import pytest
from django.utils import translation

from relay import check

PROBES = Path(__file__).parent / "probes"


def rows_of(name: str) -> dict[str, check.Row]:
    facts = check.facts(json.loads((PROBES / f"{name}.json").read_text()))
    with translation.override("en"):
        return {row.item: row for row in check.grade(facts)}


def test_a_portrait_h264_aac_stream_with_2_second_keyframes_is_all_green():
    rows = rows_of("good")

    assert {item: row.level for item, row in rows.items()} == {
        "video_codec": "green", "audio_codec": "green", "resolution": "green", "fps": "green",
        "keyframe_interval": "green", "bitrate": "green",
    }
    assert rows["resolution"].value == "720×1280 portrait"
    assert rows["keyframe_interval"].value == "every 2 s"
    assert check.overall(list(rows.values())) == "green"


def test_mp3_audio_is_red_and_says_to_choose_aac_in_obs():
    rows = rows_of("mp3_audio")

    assert (rows["audio_codec"].level, rows["audio_codec"].value) == ("red", "MP3")
    assert "Audio Encoder: AAC" in rows["audio_codec"].advice
    assert check.overall(list(rows.values())) == "red"


def test_a_landscape_stream_with_rare_keyframes_is_told_to_go_portrait_and_set_2_seconds():
    rows = rows_of("landscape_long_gop")

    assert (rows["resolution"].level, rows["resolution"].value) == ("amber", "1280×720 landscape")
    assert "720x1280" in rows["resolution"].advice
    assert (rows["keyframe_interval"].level, rows["keyframe_interval"].value) == ("red", "over 4.97 s")
    assert "Keyframe Interval: 2" in rows["keyframe_interval"].advice


def test_a_silent_slow_small_stream_is_red_for_sound_frame_rate_and_bitrate():
    rows = rows_of("no_audio_slow")

    assert (rows["audio_codec"].level, rows["audio_codec"].value) == ("red", "none")
    assert rows["fps"].level == "red"
    assert rows["bitrate"].level == "red"
    assert rows["resolution"].level == "amber"


def test_a_stream_that_is_not_h264_is_red_for_video():
    facts = {"video_codec": "hevc", "audio_codec": "aac", "width": 720, "height": 1280, "fps": 30,
             "keyframe_interval": 2, "video_kbps": 2000, "audio_kbps": 128}
    with translation.override("en"):
        rows = {row.item: row for row in check.grade(facts)}
    assert (rows["video_codec"].level, rows["video_codec"].value) == ("red", "HEVC")
    assert "H.264" in rows["video_codec"].advice


def test_the_advice_is_in_the_readers_language():
    facts = check.facts(json.loads((PROBES / "mp3_audio.json").read_text()))
    with translation.override("zh-hans"):
        rows = {row.item: row for row in check.grade(facts)}
    assert rows["audio_codec"].label == "音频"


def test_nothing_checked_yet_has_no_rows_and_no_overall_level():
    assert check.grade({}) == []
    assert check.overall([]) is None


@pytest.mark.parametrize("interval, level", [(2.0, "green"), (2.1, "green"), (3, "amber"), (6, "red")])
def test_keyframe_interval_levels(interval, level):
    facts = {"video_codec": "h264", "audio_codec": "aac", "width": 720, "height": 1280, "fps": 25,
             "keyframe_interval": interval, "video_kbps": 2000}
    rows = {row.item: row for row in check.grade(facts)}
    assert rows["keyframe_interval"].level == level
