"""POSTs to devices' own servers: signed, https to public addresses only, never redirected.

A callback URL is someone else's input that makes kslive open a connection, so it is checked
twice: when it is saved (a form error says why it is refused), and again by the connection
itself, which resolves the host, refuses if any of its addresses is not public, and connects
only to the addresses it checked (DNS may answer differently the second time). Proxies from
the environment are ignored: they would connect on our behalf, unchecked.
"""

import hashlib
import hmac
import ipaddress
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from api.models import WebhookDelivery

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3
READ_TIMEOUT = 5
SIGNATURE_VERSION = "v1"
USER_AGENT = "kslive-webhooks/1"
# IPv6 addresses that carry an IPv4 address inside (NAT64); mapped, 6to4 and Teredo ones
# have their own properties in `ipaddress`.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """kslive may not call this URL; the message says why, in the person's language."""


@dataclass(frozen=True)
class Outcome:
    """What one POST came to: the HTTP status if there was an answer, and what went wrong if anything."""

    http_status: int | None = None
    # A WebhookDelivery.Error value; empty when the receiver answered 2xx.
    error: str = ""

    @property
    def delivered(self) -> bool:
        return not self.error


@sensitive_variables()
def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the Kslive-Signature value: HMAC-SHA256 of "<timestamp>.<body>" with the secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def _only_public() -> bool:
    return not settings.KSLIVE_WEBHOOK_ALLOW_PRIVATE


def is_public(address: str) -> bool:
    """Return whether an IP address is on the public internet (and so are any it embeds)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone ("fe80::1%eth0")
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        if ip in NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        candidates += [candidate for candidate in embedded if candidate is not None]
    return all(
        candidate.is_global
        and not (candidate.is_private or candidate.is_loopback or candidate.is_link_local or candidate.is_multicast
                 or candidate.is_reserved or candidate.is_unspecified)
        for candidate in candidates
    )


def public_addresses(host: str, port: int) -> list[str]:
    """Return every address the host resolves to; raise Refused if any of them is not public."""
    found = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    for address in addresses:
        if not is_public(address):
            raise Refused(
                _("%(host)s is at %(address)s, a private, local or reserved address: kslive calls only servers on "
                  "the public internet.") % {"host": host, "address": address}
            )
    return addresses


def check_scheme(url: str) -> None:
    """Raise Refused for a URL that is not https, unless private callbacks are allowed."""
    if _only_public() and urlsplit(url).scheme != "https":
        raise Refused(_("The callback must be an https:// URL."))


def check_url(url: str) -> None:
    """Raise Refused unless kslive may POST to this URL (https to public addresses in production)."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise Refused(_("The URL must not contain a user name or password."))
    check_scheme(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused(_("Enter a valid URL."))
    if not _only_public():
        return
    try:
        public_addresses(parts.hostname, parts.port or 443)
    except socket.gaierror:
        raise Refused(_("kslive cannot find the host %(host)s.") % {"host": parts.hostname}) from None
    except ValueError:  # a port out of range
        raise Refused(_("Enter a valid URL.")) from None


def _connect_public(connection: HTTPConnection, connect: Callable[[], socket.socket]) -> socket.socket:
    """Resolve the connection's host, refuse unless every address is public, and connect to one of
    those addresses, not to the name again (DNS may answer differently the second time)."""
    host = connection._dns_host
    try:
        addresses = public_addresses(host, connection.port)
    except socket.gaierror as exc:
        raise NameResolutionError(host, connection, exc) from exc
    error: Exception | None = None
    for address in addresses:
        # urllib3 connects to what _dns_host names; TLS still checks the certificate against the
        # host name, which is back in place before the handshake.
        connection._dns_host = address
        try:
            return connect()
        except (NewConnectionError, ConnectTimeoutError) as exc:
            error = exc
        finally:
            connection._dns_host = host
    raise error or NewConnectionError(connection, f"{host} has no address")


class _PublicHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _connect_public(self, super()._new_conn)


class _PublicHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _connect_public(self, super()._new_conn)


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


@sensitive_variables()
def post(url: str, *, body: bytes, secret: str, timestamp: int) -> Outcome:
    """POST a signed JSON body to a callback URL once; return what came of it (never raises for the network)."""
    Error = WebhookDelivery.Error
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Kslive-Timestamp": str(timestamp),
        "Kslive-Signature": sign(secret, timestamp, body),
    }
    host = urlsplit(url).hostname
    try:
        # Checked when it was saved, and again now: the setting may have changed since.
        check_scheme(url)
        with requests.Session() as session:
            session.trust_env = False
            if _only_public():
                session.mount("https://", _PublicOnlyAdapter())
                session.mount("http://", _PublicOnlyAdapter())
            # stream=True: the answer's body is never read, only its status.
            with session.post(url, data=body, headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                              allow_redirects=False, stream=True) as reply:
                status = reply.status_code
    except Refused:
        logger.warning("Webhook to %s refused: not https, or an address that is not public", host)
        return Outcome(error=Error.REFUSED)
    except requests.Timeout:
        return Outcome(error=Error.TIMEOUT)
    except requests.exceptions.SSLError:
        return Outcome(error=Error.TLS)
    except requests.RequestException as exc:
        logger.info("Webhook to %s failed: %s", host, type(exc).__name__)
        return Outcome(error=Error.CONNECTION)
    if 200 <= status < 300:
        return Outcome(http_status=status)
    return Outcome(http_status=status, error=Error.REDIRECT if 300 <= status < 400 else Error.HTTP_STATUS)

