"""Embeds in live updates: a post or a video from a site on the allowlist, shown without any
of that site's scripts (the pages' Content-Security-Policy allows none). A video from YouTube
or Vimeo plays in a privacy-enhanced frame; a post from any other allowed site is a card that
links to it, which works without JavaScript and costs readers nothing until they follow it.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError

# Host (without "www." / "m.") -> the provider's name, as readers see it.
PROVIDERS = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "vimeo.com": "Vimeo",
    "x.com": "X",
    "twitter.com": "X",
    "bsky.app": "Bluesky",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "tiktok.com": "TikTok",
    "t.me": "Telegram",
}
# The frames' origins, for the Content-Security-Policy's frame-src.
FRAME_ORIGINS = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


@dataclass(frozen=True)
class Embed:
    provider: str
    url: str
    frame_url: str = ""  # a video's player, when it has one


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "m.", "mobile."):
        host = host.removeprefix(prefix)
    return host


def validate_embed_url(url: str) -> None:
    """Refuse an address that is not https or not from an allowed site, naming the site."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValidationError("An embed's address must start with https://.")
    host = _host(url)
    if host not in PROVIDERS:
        allowed = ", ".join(sorted(set(PROVIDERS.values())))
        raise ValidationError(
            f"Embeds from {host or 'that address'} are not allowed. Allowed sites: {allowed}."
        )


def _youtube_id(url: str) -> str:
    parts = urlsplit(url)
    host = _host(url)
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif parts.path.startswith(("/shorts/", "/embed/", "/live/")):
        candidate = parts.path.split("/")[2] if parts.path.count("/") >= 2 else ""
    else:
        candidate = parse_qs(parts.query).get("v", [""])[0]
    return candidate if _YOUTUBE_ID.match(candidate) else ""


def embed(url: str) -> Embed | None:
    """What a live update shows for ``url`` (None for no address or one not allowed)."""
    if not url:
        return None
    try:
        validate_embed_url(url)
    except ValidationError:
        return None
    provider = PROVIDERS[_host(url)]
    frame = ""
    if provider == "YouTube" and (video := _youtube_id(url)):
        frame = f"https://www.youtube-nocookie.com/embed/{video}"
    elif provider == "Vimeo":
        number = urlsplit(url).path.strip("/").split("/")[0]
        if number.isdigit():
            frame = f"https://player.vimeo.com/video/{number}"
    return Embed(provider=provider, url=url, frame_url=frame)
