"""`make run`'s last word: once web and sandbox answer, say where to go.

The start-up banners of five processes push the URLs printed before them off the
screen; this prints them again when they work, then waits to be stopped with the rest.
"""

import signal
import sys
import time
import urllib.request

CHECKS = {"kslive": "http://127.0.0.1:8000/", "sandbox": "http://127.0.0.1:8001/"}


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def main(timeout: float = 180) -> int:
    deadline = time.monotonic() + timeout
    waiting = dict(CHECKS)
    while waiting and time.monotonic() < deadline:
        waiting = {name: url for name, url in waiting.items() if not answers(url)}
        if waiting:
            time.sleep(0.5)
    if waiting:
        print("Not answering after %d s: %s; see the lines above." % (timeout, ", ".join(waiting)), flush=True)
    else:
        print("Ready. Open %s and log in as a demo user (Ctrl-C stops everything)." % CHECKS["kslive"], flush=True)
    signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
