"""A person rehearses through kslive's relay, fixes the encoder the check points at, goes live
with one click, survives an encoder drop on the slate, and stops: real nginx-rtmp (kslive's
ingest and the sandbox's), ffprobe, ffmpeg relay and slate, Celery, and the sandbox."""

import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from devtools.journeys import STATUS, cover_jpeg, log_in, press_go_live, press_stop, start_rehearsal
from relay.models import Relay
from streams.models import LiveSession, LiveSessionEvent

pytestmark = pytest.mark.needs("chromium, nginx-rtmp, ffmpeg")
CHECK_MS = 30_000
UPDATE_MS = 15_000
GOOD = {"size": "720x1280", "rate": 25, "gop": 50, "bitrate": "1500k"}
# The preview shows a decoded frame of the encoder's picture, and time goes by.
PLAYING = ("() => { const v = document.querySelector('video[data-hls]');"
           " return !!v && v.readyState >= 2 && v.videoWidth === 720 && v.currentTime > 0; }")


def test_a_person_rehearses_fixes_the_encoder_goes_live_and_survives_a_drop(page, relay_stack, screenshot):
    site = relay_stack.site
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.on("requestfailed", lambda request: console.append(f"failed {request.url} {request.failure}"))
    log_in(page, site_url=site.url(), sandbox_url=site.sandbox.url())
    ingest = start_rehearsal(page, site_url=site.url(), cover=cover_jpeg(relay_stack.folder), caption="彩排露营")
    assert ingest.startswith(relay_stack.relay_ingest.rtmp_url + "/")
    assert site.sandbox.requests("pushUrls") == [], "rehearsing must not spend a push URL"

    # OBS set to MP3 audio: the check says so, in red, without a reload.
    wrong = relay_stack.push(ingest, audio="libmp3lame", **GOOD)
    audio = page.locator('[data-check-item="audio_codec"]')
    expect(audio).to_have_attribute("data-level", "red", timeout=CHECK_MS)
    expect(audio).to_contain_text("AAC")
    screenshot(page, "relay-check-red")
    wrong.stop()

    # Fixed: H.264 + AAC, 720x1280, keyframes every 2 s: all green, and the preview plays.
    encoder = relay_stack.push(ingest, **GOOD)
    expect(page.locator("[data-check-overall]")).to_have_attribute("data-check-overall", "green", timeout=CHECK_MS)
    try:
        page.wait_for_function(PLAYING, timeout=CHECK_MS)
    except PlaywrightTimeoutError:
        pytest.fail("the preview did not play; the browser said:\n" + "\n".join(console))
    screenshot(page, "relay-check-green")
    assert site.sandbox.requests("pushUrls") == []

    # One click: Kuaishou's push URL, the relay, and the room opens.
    clicked = time.monotonic()
    press_go_live(page)
    expect(page.locator(STATUS)).to_have_attribute("data-status", "living", timeout=UPDATE_MS)
    click_to_living = time.monotonic() - clicked
    session = LiveSession.objects.get()
    name = session.live_stream_name
    assert site.sandbox.stream(name)["state"] == "living"
    expect(page.locator("[data-feed]")).to_have_attribute("data-feed", "relay")
    screenshot(page, "relay-living")

    # The encoder is gone for 20 s (killed, as a crash would): Kuaishou gets the slate, the live goes on.
    encoder.kill()
    expect(page.locator("[data-feed]")).to_have_attribute("data-feed", "slate", timeout=UPDATE_MS)
    expect(page.locator("[data-sync-target=relay-feed]")).to_contain_text(re.compile(r"(11\d|120) 秒"))
    screenshot(page, "relay-on-slate")
    time.sleep(20)
    assert site.sandbox.stream(name)["state"] == "living"
    expect(page.locator(STATUS)).to_have_attribute("data-status", "living")

    # It comes back: the relay takes over again.
    encoder = relay_stack.push(ingest, **GOOD)
    expect(page.locator("[data-feed]")).to_have_attribute("data-feed", "relay", timeout=UPDATE_MS)
    time.sleep(4)
    measured = site.sandbox.publisher_gaps(name)
    hooks = [(r["endpoint"], r["form"].get("name"), r["form"].get("clientid"), r["http_status"], r["received_at"])
             for r in site.sandbox.requests() if r["endpoint"].startswith("on_")]
    assert len(measured) == 2, (measured, hooks)  # relay → slate, slate → relay
    assert max(measured) <= 3, f"Kuaishou went without a stream for {measured} s"
    assert site.sandbox.stream(name)["state"] == "living"
    kinds = list(session.events.values_list("kind", flat=True))
    assert LiveSessionEvent.Kind.ENCODER_DROPPED in kinds and LiveSessionEvent.Kind.ENCODER_BACK in kinds
    # The timeline on the page follows without a reload: the drop, and how long the slate ran.
    history = page.locator("section.history")
    expect(history).to_contain_text("编码器断开")
    expect(history).to_contain_text(re.compile(r"编码器恢复 \(2\d s\)"))

    press_stop(page)
    expect(page.locator(STATUS)).to_have_attribute("data-status", "ended", timeout=UPDATE_MS)
    assert encoder.wait_closed() is not None, "kslive's ingest should have dropped the encoder"
    assert site.sandbox.stream(name)["state"] == "ended"
    assert Relay.objects.get().finished_at is not None
    print(f"click to living: {click_to_living:.1f} s; gaps at Kuaishou: {measured}")
