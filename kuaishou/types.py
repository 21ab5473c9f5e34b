"""Configuration and typed results of the Kuaishou client."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

SCOPE_USER_BASE = "user_base"
SCOPE_USER_INFO = "user_info"
SCOPE_USER_VIDEO_LIVE = "user_video_live"

# Some devices (DJI drones, a few IP cameras) only connect when the URL names the port.
RTMP_DEFAULT_PORT = 1935


@dataclass(frozen=True)
class AppCredentials:
    """Our app's identity on the Kuaishou Open Platform, and where to reach it."""

    app_id: str
    app_secret: str = field(repr=False)
    biz_id: str
    base_url: str = "https://open.kuaishou.com"
    # requests' (connect, read) seconds, or one number for both.
    timeout: float | tuple[float, float] = (5, 15)


@dataclass(frozen=True)
class TokenGrant:
    """Tokens issued by a code exchange or a refresh; the durations are seconds.

    Only the tokens and `expires_in` are in every documented reply. The code exchange also
    names the `open_id`; a refresh does not. `scopes` and `refresh_token_expires_in` appear
    only in later published examples: None means Kuaishou did not say.
    """

    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str = field(repr=False)
    open_id: str | None = None
    refresh_token_expires_in: int | None = None
    scopes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class UserProfile:
    """A Kuaishou user's public profile.

    Kuaishou's field list is unverified, so every field is optional: a missing text
    field is "", a missing count is None (unknown, which 0 would misstate).
    """

    name: str = ""
    sex: str = ""
    fans: int | None = None
    follows: int | None = None
    avatar_url: str = ""
    big_avatar_url: str = ""
    city: str = ""


@dataclass(frozen=True)
class PushUrl:
    """An RTMP push URL; the `sign` in it makes the whole URL a credential."""

    push_url: str = field(repr=False)
    live_stream_name: str

    @property
    def rtmp_server(self) -> str:
        """Return the encoder's "server" half, e.g. rtmp://host/gifshow/."""
        parts = urlsplit(self.push_url)
        app_path = parts.path.rpartition("/")[0]
        return urlunsplit((parts.scheme, parts.netloc, app_path + "/", "", ""))

    @property
    def stream_key(self) -> str:
        """Return the encoder's "stream key" half, e.g. <name>?sign=...."""
        parts = urlsplit(self.push_url)
        name = parts.path.rpartition("/")[2]
        return f"{name}?{parts.query}" if parts.query else name

    @property
    def with_port(self) -> str:
        """Return the push URL with the RTMP port spelled out."""
        parts = urlsplit(self.push_url)
        if parts.port is not None:
            return self.push_url
        return urlunsplit(parts._replace(netloc=f"{parts.netloc}:{RTMP_DEFAULT_PORT}"))


class LiveState(enum.StrEnum):
    LIVE_NOT_START = "LIVE_NOT_START"  # push URL issued, no stream yet
    LIVING = "LIVING"
    LIVE_END = "LIVE_END"


@dataclass(frozen=True)
class LiveStatus:
    """The state of a live, as Kuaishou sees it.

    `status` is None when Kuaishou's value was empty or not one of the documented states:
    unknown this time, which is no reason to change anything. `raw_status` keeps its words.
    """

    live_stream_name: str
    status: LiveState | None
    status_message: str = ""
    raw_status: str = ""
