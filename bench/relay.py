"""What does a relay cost, and how quickly does it go live? .venv/bin/python bench/relay.py [--runs 5]

Starts the whole stack as real processes (the sandbox and its nginx-rtmp playing Kuaishou,
kslive's web server, Celery, kslive's relay ingest and relay agent, on a throw-away
database), logs in with a headless Chromium, then per run: makes a relay session, pushes a
720x1280 H.264/AAC stream to kslive's ingest, waits for the encoder check, presses "Go live
on Kuaishou" and times until the page shows living; samples the CPU and memory of the relay
(ffmpeg -c copy); kills the encoder and samples the slate; brings the encoder back; stops.
Prints CPU and memory per relay and per slate, how many a 2-core machine carries, the gap
Kuaishou (the sandbox's ingest) saw at each drop and return, and p50/p95 of go-live click ->
living.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devtools.bench import percentile, tear_down, use_throwaway_settings  # noqa: E402

use_throwaway_settings()

from devtools.journeys import cover_jpeg, log_in, press_go_live, press_stop, start_rehearsal  # noqa: E402
from devtools.processes import (  # noqa: E402
    Celery,
    Encoder,
    Process,
    RelayAgent,
    RelayIngest,
    RtmpIngest,
    Workspace,
    free_port,
    kslive_env,
    port_open,
)
from devtools.sandbox_server import SandboxServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
STATUS = "[data-status-poll] [data-status]"
GOOD = {"size": "720x1280", "rate": 25, "gop": 50, "bitrate": "1500k"}
HOOK_SECRET = "bench-relay-hook-secret"
TICKS = os.sysconf("SC_CLK_TCK")
# A machine runs other things too (nginx, the web, the agent): plan for this share of its cores.
USABLE = 0.8


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def child_like(agent_pid: int, marker: str, timeout: float = 15) -> int:
    """Return the agent's ffmpeg child whose command line has `marker`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in children_of(agent_pid):
            try:
                if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                    return pid
            except OSError:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"no ffmpeg child with {marker!r}")


def sample(pid: int, seconds: float) -> tuple[float, float]:
    """Return (CPU in % of one core, resident memory in MiB) of a process over `seconds`."""

    def cpu() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    start, began = cpu(), time.monotonic()
    time.sleep(seconds)
    used, spent = cpu() - start, time.monotonic() - began
    # PSS: shared libraries counted once across all the ffmpeg processes, as the machine pays.
    pss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
               if line.startswith("Pss:"))
    return 100 * used / TICKS / spent, pss / 1024


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=float, default=10, help="seconds of CPU sampling per relay and slate")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args(argv)

    workspace = Workspace("kslive-bench-relay-")
    folder = workspace.path
    started: list = []
    browser = playwright = None
    try:
        sandbox = SandboxServer().start()
        started.append(sandbox)
        ingest = RtmpIngest(hooks_url=sandbox.url(), log_dir=folder).start()
        started.append(ingest)
        ingest.point(sandbox)

        port = free_port()
        site_url = f"http://127.0.0.1:{port}"
        relay_ingest = RelayIngest(hooks_url=f"{site_url}/relay/hooks", hook_secret=HOOK_SECRET, site_url=site_url,
                                   log_dir=folder)
        env = kslive_env(
            database=f"sqlite:///{folder / 'kslive.sqlite3'}", var_dir=folder / "var", kuaishou_base=sandbox.url(),
            DEBUG=1, SITE_URL=site_url, KSLIVE_RELAY_HOOK_SECRET=HOOK_SECRET, **relay_ingest.settings(),
        )
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO_ROOT, env=env, check=True)
        web = Process("web", [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                      env=env, log_dir=folder)
        started.append(web.start(ready=lambda: port_open(port)))
        started.append(Celery(env=env, log_dir=folder).start())
        started.append(relay_ingest.start())
        agent = RelayAgent(env=env, log_dir=folder).start()
        started.append(agent)

        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
        ])
        page = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}).new_page()
        page.set_default_timeout(60_000)
        log_in(page, site_url=site_url, sandbox_url=sandbox.url())
        cover = cover_jpeg(folder)
        agent_pid = agent.process.popen.pid

        to_living, relay_cpu, relay_mem, slate_cpu, slate_mem, drop_gaps, return_gaps = [], [], [], [], [], [], []
        for run in range(1, args.runs + 1):
            ingest_url = start_rehearsal(page, site_url=site_url, cover=cover, caption=f"中转测速 {run}")
            encoder = Encoder(ingest_url, log_dir=folder, name=f"ffmpeg-{run}", **GOOD).start()
            page.wait_for_selector("[data-check-overall]")
            clicked = time.monotonic()
            press_go_live(page)
            page.wait_for_selector('[data-status-poll] [data-status="living"]')
            to_living.append(time.monotonic() - clicked)
            name = page.locator("code").first.inner_text()

            cpu, mem = sample(child_like(agent_pid, "-copyinkf"), args.sample)
            relay_cpu.append(cpu)
            relay_mem.append(mem)
            encoder.stop()
            page.wait_for_selector('[data-feed="slate"]')
            cpu, mem = sample(child_like(agent_pid, "anullsrc"), args.sample)
            slate_cpu.append(cpu)
            slate_mem.append(mem)
            encoder = Encoder(ingest_url, log_dir=folder, name=f"ffmpeg-{run}-back", **GOOD).start()
            page.wait_for_selector('[data-feed="relay"]')
            time.sleep(3)
            gaps = sandbox.publisher_gaps(name)
            if len(gaps) >= 2:
                drop_gaps.append(gaps[0])
                return_gaps.append(gaps[1])
            living = sandbox.stream(name)["state"]
            press_stop(page)
            page.wait_for_selector('[data-status-poll] [data-status="ended"]')
            encoder.wait_closed(15)
            encoder.stop()
            print(f"run {run}: living {to_living[-1]:.2f} s after the click; relay {relay_cpu[-1]:.1f}% CPU "
                  f"{relay_mem[-1]:.0f} MiB; slate {slate_cpu[-1]:.1f}% CPU {slate_mem[-1]:.0f} MiB; gaps at "
                  f"Kuaishou {', '.join(f'{gap:.2f} s' for gap in gaps)}; Kuaishou {living} throughout", flush=True)

        per_relay, per_slate = statistics.mean(relay_cpu), statistics.mean(slate_cpu)
        relay_mib, slate_mib = statistics.mean(relay_mem), statistics.mean(slate_mem)
        print()
        print(f"machine: {os.cpu_count()} cores; {args.runs} runs; encoder 720x1280 25 fps 1.5 Mbit/s + AAC")
        print(f"relay (ffmpeg -c copy): CPU {per_relay:.1f}% of a core, memory {relay_mib:.0f} MiB (PSS)")
        print(f"slate (cover + silence, x264 ultrafast 5 fps): CPU {per_slate:.1f}% of a core, "
              f"memory {slate_mib:.0f} MiB (PSS)")
        cores = 2 * 100 * USABLE
        memory = USABLE * next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                               if line.startswith("MemTotal:")) / 1024 / 1024
        print(f"a 2-core machine ({USABLE:.0%} of it): {int(cores // max(per_relay, 0.1))} relays by CPU, "
              f"{int(memory * 1024 // relay_mib)} by this machine's memory ({memory:.0f} GiB), "
              f"{int(2 * 1024 * USABLE // relay_mib)} with 2 GiB; every relay whose encoder drops adds a slate: "
              f"{int(cores // max(per_slate, 0.1))} slates at once by CPU")
        print("(network: each relay takes the encoder's bitrate in and sends it out again, 3 Mbit/s here)")
        if drop_gaps:
            print(f"gap at Kuaishou: encoder drop -> slate p50 {statistics.median(drop_gaps):.2f} s, "
                  f"max {max(drop_gaps):.2f} s; encoder back -> relay p50 {statistics.median(return_gaps):.2f} s, "
                  f"max {max(return_gaps):.2f} s")
        print(f"go-live click -> living on the page: p50 {statistics.median(to_living):.2f} s, "
              f"p95 {percentile(to_living, 0.95):.2f} s (bound: 3 s)")
    finally:
        if browser:
            browser.close()
        if playwright:
            playwright.stop()
        tear_down(started, workspace, keep_logs=args.keep_logs)


if __name__ == "__main__":
    main()
