"""How fast does the page follow a real stream? .venv/bin/python bench/latency.py [--runs 5]

Starts the whole stack as real processes (the sandbox, nginx-rtmp, kslive's web server,
a Celery worker and beat, all on a throw-away database), logs in with a headless Chromium,
then per run: fills the go-live form, starts ffmpeg on the push URL and times until the page
shows living; keeps the live up for a while; presses Stop and times until the page shows
ended. Prints p50/p95 of both and the upstream status calls per session-minute (counted
from the sandbox's request log). Polls use the production defaults unless told otherwise.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devtools.bench import machine, percentile, tear_down, use_throwaway_settings  # noqa: E402

use_throwaway_settings()

from devtools.journeys import (  # noqa: E402
    cover_jpeg,
    fill_go_live_form,
    log_in,
    press_stop,
    reveal_push_url,
    submit_go_live_form,
)
from devtools.processes import (  # noqa: E402
    Celery,
    Encoder,
    Process,
    RtmpIngest,
    Workspace,
    free_port,
    kslive_env,
    port_open,
)
from devtools.sandbox_server import SandboxServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LIVING = '[data-status-poll] [data-status="living"]'
ENDED = '[data-status-poll] [data-status="ended"]'


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--hold", type=float, default=10, help="seconds each live stays up before Stop")
    parser.add_argument("--ready-poll", type=int, default=5, help="KSLIVE_POLL_READY_FAST (production default 5)")
    parser.add_argument("--living-poll", type=int, default=15, help="KSLIVE_POLL_LIVING (production default 15)")
    parser.add_argument("--tick", type=float, default=1, help="KSLIVE_POLL_TICK (production default 1)")
    parser.add_argument("--keep-logs", action="store_true", help="keep every process's log and say where")
    args = parser.parse_args(argv)

    workspace = Workspace("kslive-bench-")
    folder = workspace.path
    started = []
    browser = playwright = None
    try:
        sandbox = SandboxServer().start()
        started.append(sandbox)
        ingest = RtmpIngest(hooks_url=sandbox.url(), log_dir=folder).start()
        started.append(ingest)
        ingest.point(sandbox)

        port = free_port()
        site_url = f"http://127.0.0.1:{port}"
        env = kslive_env(
            database=f"sqlite:///{folder / 'kslive.sqlite3'}", var_dir=folder / "var", kuaishou_base=sandbox.url(),
            DEBUG=1, KSLIVE_POLL_READY_FAST=args.ready_poll, KSLIVE_POLL_LIVING=args.living_poll,
            KSLIVE_POLL_TICK=args.tick, SITE_URL=site_url,
        )
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO_ROOT, env=env, check=True)
        web = Process("web", [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                      env=env, log_dir=folder)
        started.append(web.start(ready=lambda: port_open(port)))
        started.append(Celery(env=env, log_dir=folder).start())

        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ])
        page = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}).new_page()
        page.set_default_timeout(60_000)
        log_in(page, site_url=site_url, sandbox_url=sandbox.url())
        cover = cover_jpeg(folder)

        to_living, to_ended, calls_per_minute = [], [], []
        for run in range(1, args.runs + 1):
            fill_go_live_form(page, site_url=site_url, cover=cover, caption=f"测速 {run}")
            issued = time.monotonic()
            submit_go_live_form(page, site_url=site_url)
            push_url = reveal_push_url(page)
            name = urlsplit(push_url).path.rsplit("/", 1)[-1]

            # People start their encoder whenever they are ready: spread the starts evenly over
            # one ready-poll interval, so the runs meet the poll schedule at every phase.
            time.sleep((run - 1) % args.runs * args.ready_poll / args.runs)
            encoder = Encoder(push_url, log_dir=folder, name=f"ffmpeg-{run}")
            pushed = time.monotonic()
            encoder.start()
            page.wait_for_selector(LIVING)
            to_living.append(time.monotonic() - pushed)

            time.sleep(args.hold)
            clicked = time.monotonic()
            press_stop(page)
            page.wait_for_selector(ENDED)
            ended = time.monotonic()
            to_ended.append(ended - clicked)
            if encoder.wait_closed(15) is None:
                print(f"run {run}: ffmpeg was not disconnected", file=sys.stderr)
                encoder.stop()

            calls = [r for r in sandbox.requests("status") if r["path"].endswith(f"/status/{name}")]
            calls_per_minute.append(len(calls) / ((ended - issued) / 60))
            print(f"run {run}: living after {to_living[-1]:.2f} s, ended {to_ended[-1]:.2f} s after Stop, "
                  f"{len(calls)} status calls in {ended - issued:.0f} s", flush=True)

        print()
        print(f"machine: {machine()}")
        print(f"polls: ready every {args.ready_poll} s, living every {args.living_poll} s, beat tick {args.tick} s; "
              f"page asks every 1 s; {args.runs} runs, {args.hold:.0f} s live each")
        print(f"stream start -> living on the page: p50 {statistics.median(to_living):.2f} s, "
              f"p95 {percentile(to_living, 0.95):.2f} s (bound: ready poll + 2 s = {args.ready_poll + 2} s)")
        print(f"Stop click -> ended on the page:    p50 {statistics.median(to_ended):.2f} s, "
              f"p95 {percentile(to_ended, 0.95):.2f} s (bound: 3 s)")
        print(f"upstream status calls per session-minute: mean {statistics.mean(calls_per_minute):.1f}, "
              f"max {max(calls_per_minute):.1f}")
    finally:
        if browser:
            browser.close()
        if playwright:
            playwright.stop()
        tear_down(started, workspace, keep_logs=args.keep_logs)


if __name__ == "__main__":
    main()
