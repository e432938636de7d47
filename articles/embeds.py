"""Embeds in live updates and story bodies: a post or a video from a site on the allowlist,
shown without any of that site's scripts (the pages' Content-Security-Policy allows none). A
video from YouTube or Vimeo plays in a privacy-enhanced frame; a post from any other allowed
site is a card that links to it, which works without JavaScript and costs readers nothing
until they follow it.
"""

import re
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from .languages import language_direction

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

    @property
    def address(self) -> str:
        """The address as a card shows it: without "https://" and "www."."""
        return self.url.removeprefix("https://").removeprefix("www.")


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


# Embeds in story bodies -----------------------------------------------------------------------
#
# A body stores an embed as a small element with no frame and no script:
#
#     <figure data-embed="URL"><a href="URL" rel="...">YouTube embed: URL</a></figure>
#
# The sanitiser keeps it only for an address ``embed()`` accepts (else the link stays, as a
# paragraph); the editor shows it as a labelled box; the story page turns it into the markup a
# live update's embed has (``articles/_embed.html``) when the body is rendered.

_PLAYERS = {
    "youtube-nocookie.com": "YouTube",
    "player.vimeo.com": "Vimeo",
}
_STORED = re.compile(r'<figure data-embed="([^"]*)">.*?</figure>', re.S)


def canonical_url(url: str) -> str:
    """``url`` as an embed keeps it: a known provider's address on https, and a player's
    address (an ``<iframe>``'s) as the address of the page it plays. Anything else is
    returned unchanged, for ``validate_embed_url`` to judge."""
    url = url.strip()
    parts = urlsplit(url)
    host = _host(url)
    if parts.scheme == "http" and (host in PROVIDERS or host in _PLAYERS):
        url = "https" + url[len("http") :]
    if (
        host in ("youtube.com", "youtube-nocookie.com")
        and parts.path.startswith("/embed/")
        and (video := _youtube_id(url.replace("youtube-nocookie.com", "youtube.com", 1)))
    ):
        return f"https://www.youtube.com/watch?v={video}"
    if host == "player.vimeo.com" and parts.path.startswith("/video/"):
        number = parts.path.removeprefix("/video/").split("/")[0]
        if number.isdigit():
            return f"https://vimeo.com/{number}"
    return url


def label(url: str) -> str:
    """What the editor's box and the stored link say: "YouTube embed: URL"."""
    return f"{PROVIDERS[_host(url)]} embed: {url}"


def stored(url: str) -> str:
    """The body's element for an embed of ``url`` (already canonical), or "" when the address
    is not an allowed one."""
    if embed(url) is None:
        return ""
    quoted = escape(url)
    return (
        f'<figure data-embed="{quoted}"><a href="{quoted}" rel="noopener noreferrer">'
        f"{escape(label(url))}</a></figure>"
    )


def render_in_body(html: str, *, text_language: str = "") -> str:
    """A stored body with each of its embeds as readers see it (a player or a card). In a
    text of another language (``text_language``) an embed's words ("Watch on YouTube") are
    marked as the site's own."""
    if "data-embed" not in html:
        return html
    context = {}
    if text_language:
        site = settings.SITE_LANGUAGE  # as the page says it (<html lang>)
        context = {"lang": site, "dir": language_direction(site)}

    def render(match):
        found = embed(unescape(match[1]))
        if found is None:  # the sanitiser lets none through; a row written around it
            return ""
        return render_to_string("articles/_embed.html", {"embed": found, **context})

    return _STORED.sub(render, html)
