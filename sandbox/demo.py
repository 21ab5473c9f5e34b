"""The demo app the sandbox seeds, and the one place its credentials are written in code.

kslive's `.env.example` and `pytest.ini` name the same values as settings, and the sandbox's
README documents them; tests/test_demo_app.py keeps those copies equal to these.
SANDBOX_DEMO_APP_ID, SANDBOX_DEMO_APP_SECRET and SANDBOX_DEMO_BIZ_ID seed another app instead.
"""

APP_ID = "kslive-demo"
APP_SECRET = "kslive-demo-secret"
BIZ_ID = "kslive-demo-biz"
