"""Production refuses a relay ingest whose hooks nobody could call safely."""

from kslive_site.tests.test_settings import KUAISHOU, load_settings

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "TOKEN_ENCRYPTION_KEYS": "2GsX6XbjHqwpWDXy2HkdPc_OaNWnyYMsdY-V06ialcU=",
              "ALLOWED_HOSTS": "kslive.example.com", "SITE_URL": "https://kslive.example.com", **KUAISHOU}


def test_production_with_a_relay_ingest_refuses_to_start_without_the_hook_secret():
    result = load_settings(**PRODUCTION, KSLIVE_RELAY_INGEST_URL="rtmp://kslive.example.com:1936/rehearse")

    assert result.returncode != 0
    assert "KSLIVE_RELAY_HOOK_SECRET is not set" in result.stderr


def test_production_without_a_relay_ingest_needs_no_hook_secret():
    result = load_settings(**PRODUCTION)

    assert "KSLIVE_RELAY_HOOK_SECRET" not in result.stderr
