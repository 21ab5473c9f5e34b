"""How each kind of encoder wants a push URL: the same credential, in the shape it reads."""

from urllib.parse import quote

from kuaishou import PushUrl

# Larix Broadcaster's documented "Grove" deep link (https://softvelum.com/larix/grove/): opening
# it, or scanning its QR code, adds the connection in the app on Android and iOS.
LARIX_GROVE = "larix://set/v1?conn[][url]={url}&conn[][name]={name}&conn[][overwrite]=on"
# Kuaishou asks for H.264 and AAC; a keyframe every 2 s at 25 fps.
FFMPEG = ("ffmpeg -re -i <your input> -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p "
          "-c:a aac -ar 44100 -b:a 128k -f flv '{url}'")


def larix_link(push: PushUrl, *, name: str) -> str:
    """Return the link that sets up Larix Broadcaster with this push URL."""
    return LARIX_GROVE.format(url=quote(push.push_url, safe=""), name=quote(name or "kslive", safe=""))


def formats(push: PushUrl, *, name: str) -> dict:
    """Return every shape of the push URL, by encoder (the device API's `formats`)."""
    return {
        "url": push.push_url,
        "url_with_port": push.with_port,
        "obs": {"server": push.rtmp_server, "stream_key": push.stream_key},
        "larix": larix_link(push, name=name),
        "ffmpeg": FFMPEG.format(url=push.push_url),
    }
