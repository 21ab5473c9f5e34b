"""`make run`'s last word: once web and sandbox answer, say where to go.

The start-up banners of five processes push the URLs printed before them off the
screen; this prints them again when they work, then waits to be stopped with the rest.
"""

import signal
import sys
import time
import urllib.request


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def main(site: str, *others: str, timeout: float = 180) -> int:
    """Wait for the site and the other URLs (the Procfile names them) to answer, then say so."""
    deadline = time.monotonic() + timeout
    waiting = [site, *others]
    while waiting and time.monotonic() < deadline:
        waiting = [url for url in waiting if not answers(url)]
        if waiting:
            time.sleep(0.5)
    if waiting:
        print("Not answering after %g s: %s; see the lines above." % (timeout, ", ".join(waiting)), flush=True)
    else:
        print("Ready. Open %s and log in as a demo user (Ctrl-C stops everything)." % site, flush=True)
    signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
