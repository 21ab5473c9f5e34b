"""python -m relay.ingest writes an nginx-rtmp config that nginx accepts, with the hooks' secret."""

import subprocess

from relay import ingest
from tests.needs import require_rtmp_ingest


def config_text(tmp_path, **overrides) -> str:
    arguments = dict(directory=tmp_path, host="127.0.0.1", rtmp_port=19999, http_host="127.0.0.1", http_port=18999,
                     hooks="http://127.0.0.1:8000/relay/hooks", hook_secret="s3cret", cors="https://kslive.example.com",
                     module=None)
    return ingest.write_config(**{**arguments, **overrides}).read_text()


def test_the_hooks_carry_the_shared_secret_and_the_preview_allows_the_site(tmp_path):
    text = config_text(tmp_path)

    assert "on_publish http://127.0.0.1:8000/relay/hooks/on_publish?secret=s3cret;" in text
    assert "on_publish_done http://127.0.0.1:8000/relay/hooks/on_publish_done?secret=s3cret;" in text
    assert 'add_header Access-Control-Allow-Origin "https://kslive.example.com" always;' in text
    assert "application rehearse {" in text and "hls on;" in text
    assert "deny play all;" in text


def test_the_config_holding_the_secret_is_readable_by_its_owner_only(tmp_path):
    config_text(tmp_path)

    assert (tmp_path / "nginx.conf").stat().st_mode & 0o077 == 0


def test_nginx_accepts_the_config(tmp_path):
    require_rtmp_ingest()
    nginx = ingest.find_nginx()
    config_text(tmp_path, module=ingest.find_module(nginx)[1])

    result = subprocess.run([nginx, "-e", "stderr", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=30)

    assert result.returncode == 0, result.stderr
