"""The shipped nginx site (deploy/nginx/kslive.conf), served for real by nginx in a test.

Only what a test machine needs is changed (a self-signed certificate instead of Let's
Encrypt's, ports and folders of its own), and each change must find exactly the text it
replaces, so that the tests keep testing the file an operator installs.
"""

import datetime
import http.client
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devtools.waiting import wait_until

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "deploy" / "nginx" / "kslive.conf"
HOST = "kslive.example.com"
CERTIFICATE = f"/etc/letsencrypt/live/{HOST}/fullchain.pem"
PRIVATE_KEY = f"/etc/letsencrypt/live/{HOST}/privkey.pem"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def replace(text: str, old: str, new: str, count: int) -> str:
    """Replace `old`, which must occur exactly `count` times: the shipped file changed otherwise."""
    assert text.count(old) == count, f"expected {count} of {old!r} in {SITE.name}, found {text.count(old)}"
    return text.replace(old, new)



def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """Write a certificate for HOST and its key; return their paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    return cert_path, key_path



def nginx_config(directory: Path, site: str, *, main: str = "") -> Path:
    """Wrap a site in a main nginx.conf whose pid, logs and temp files stay in `directory`."""
    (directory / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    path = directory / "nginx.conf"
    path.write_text(f"""\
{main}pid {directory / "nginx.pid"};
error_log stderr;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log {directory / "access.log"};
{temp_paths}
    include {directory / "site.conf"};
}}
""")
    return path



def site_with_test_certificate(directory: Path) -> str:
    cert_path, key_path = self_signed_certificate(directory)
    site = replace(SITE.read_text(), CERTIFICATE, str(cert_path), 1)
    return replace(site, PRIVATE_KEY, str(key_path), 1)



class ServedSite:
    """nginx serving the shipped site over plain HTTP and TLS on free ports, proxying to
    `upstream_port` (where gunicorn would listen) and serving `static` as /static/."""

    def __init__(self, directory: Path, nginx: str, *, upstream_port: int, static: Path | None = None):
        self.directory = directory
        self.http_port, self.https_port = free_port(), free_port()
        self.static = static or directory / "staticfiles"
        self.acme = directory / "acme"
        self.access_log = directory / "kslive.access.log"
        self.certificate = directory / "fullchain.pem"
        self.static.mkdir(exist_ok=True)
        self.acme.mkdir()

        site = site_with_test_certificate(directory)
        site = replace(site, "listen 80;", f"listen 127.0.0.1:{self.http_port};", 1)
        site = replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;", 1)
        # A test machine may have no IPv6; nginx -t above checks these lines.
        site = replace(site, "    listen [::]:80;\n", "", 1)
        site = replace(site, "    listen [::]:443 ssl http2;\n", "", 1)
        site = replace(site, "syslog:server=unix:/dev/log,tag=kslive_nginx,nohostname", str(self.access_log), 2)
        site = replace(site, "alias /srv/kslive/staticfiles/;", f"alias {self.static}/;", 1)
        site = replace(site, "root /var/www/html;", f"root {self.acme};", 1)
        site = replace(site, "proxy_pass http://127.0.0.1:8000;",
                       f"proxy_pass http://127.0.0.1:{upstream_port};", 1)
        # One process, as the current user: no root needed.
        config = nginx_config(directory, site, main="daemon off;\nmaster_process off;\n")
        self.log = open(directory / "nginx.log", "wb")
        self.nginx = subprocess.Popen([nginx, "-e", "stderr", "-p", str(directory), "-c", str(config)],
                                      stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not self.listening():
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"nginx did not start:\n{self.output()}")
            time.sleep(0.05)

    def listening(self) -> bool:
        for port in (self.http_port, self.https_port):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) != 0:
                    return False
        return True

    def output(self) -> str:
        return (self.directory / "nginx.log").read_text(errors="replace")

    def stop(self):
        self.nginx.terminate()
        self.nginx.wait(timeout=10)
        self.log.close()

    def over_http(self, method: str, path: str, **kwargs) -> http.client.HTTPResponse:
        """Send a request over plain HTTP for the site's host name."""
        connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        return self._send(connection, method, path, **kwargs)

    def over_https(self, method: str, path: str, **kwargs) -> http.client.HTTPResponse:
        """Send a request over TLS for the site's host name."""
        return self._send(self.tls_connection(), method, path, **kwargs)

    def access_log_after(self, request_line: str, *, wait: float = 10) -> str:
        """Return the access log once it has the line of `request_line`.

        nginx writes the line after the response has gone out, so a test that reads the log
        right after its request may be ahead of it on a busy machine.
        """
        def log() -> str:
            return self.access_log.read_text() if self.access_log.exists() else ""

        wait_until(lambda: request_line in log(), timeout=wait)
        return log()

    @property
    def url(self) -> str:
        """Return the site's https URL, as people would type it (the port is the test's)."""
        return f"https://{HOST}:{self.https_port}"

    def tls_connection(self) -> http.client.HTTPSConnection:
        """Connect over TLS to the site's host name, trusting only the test certificate."""
        context = ssl.create_default_context(cafile=str(self.certificate))
        connection = http.client.HTTPSConnection(HOST, self.https_port, context=context, timeout=10)
        # The name is the site's, the address this machine's: as a browser would after DNS.
        sock = socket.create_connection(("127.0.0.1", self.https_port), timeout=10)
        connection.sock = context.wrap_socket(sock, server_hostname=HOST)
        return connection

    @staticmethod
    def _send(connection, method, path, *, headers=None, body=None):
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        response.text = response.read().decode(errors="replace")
        connection.close()
        return response


