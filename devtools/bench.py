"""What a bench script sets before it imports the rest: the settings of a throw-away stack."""

import os

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
