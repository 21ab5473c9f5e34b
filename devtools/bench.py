"""What the bench scripts share: the settings of a throw-away stack (set before anything else is
imported), the machine they ran on, a percentile, and tearing the stack down."""

import math
import os
import platform
from pathlib import Path

from sandbox import demo

# Secrets that protect nothing, for a throw-away stack; the sandbox's demo app.
THROWAWAY_SETTINGS = {
    "TOKEN_ENCRYPTION_KEYS": "2GsX6XbjHqwpWDXy2HkdPc_OaNWnyYMsdY-V06ialcU=",
    "KUAISHOU_APP_ID": demo.APP_ID,
    "KUAISHOU_APP_SECRET": demo.APP_SECRET,
    "KUAISHOU_BIZ_ID": demo.BIZ_ID,
    "DEBUG": "1",
}


def use_throwaway_settings() -> None:
    """Set what the environment does not already say (its own values win)."""
    for key, value in THROWAWAY_SETTINGS.items():
        os.environ.setdefault(key, value)


def machine() -> str:
    """Return the cores, CPU model and kernel the figures were measured on."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    return f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: with 5 runs, p95 is the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def tear_down(started: list, workspace, *, keep_logs: bool) -> None:
    """Stop what the bench started, last first, and remove its folder unless its logs are wanted."""
    for thing in reversed(started):
        thing.stop()
    if keep_logs:
        print(f"logs: {workspace.path}")
    else:
        workspace.remove()
