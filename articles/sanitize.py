"""The one allowlist every article body passes through, from the admin or an import."""

import re
from html import escape, unescape
from urllib.parse import urlsplit

import nh3

from . import embeds

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "blockquote",
    "q",
    "cite",
    "ul",
    "ol",
    "li",
    # An embed (articles/embeds.py) or a library picture (articles/body_images.py) only; any
    # other figure becomes its content.
    "figure",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "figure": {"data-embed", "data-image"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# A figure with nothing inside that is itself a figure (the innermost first), and the
# attributes the allowlist left it.
_FIGURE = re.compile(
    r'<figure((?: data-(?:embed|image)="[^"]*")*)>((?:(?!<figure).)*?)</figure>', re.S
)
_FIGURE_ATTRIBUTE = re.compile(r' data-(embed|image)="([^"]*)"')
_HAS_BLOCK = re.compile(r"<(?:p|h[2-4]|ul|ol|blockquote)\b|\x00")
_TEXT = re.compile(r"<[^>]*>|\s")


def stored_image(image_id: str) -> str:
    """The body's element for the library picture ``image_id`` (articles/body_images.py), or
    "" when it is not a number: nothing else may name a picture, and nothing else about it is
    kept (its file, caption and credit are the library's)."""
    image_id = image_id.strip()
    if not image_id.isascii() or not image_id.isdigit():
        return ""
    return f'<figure data-image="{int(image_id)}"></figure>'


def _figure_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "figure" and attribute == "data-embed":
        url = embeds.canonical_url(value)
        return url if urlsplit(url).scheme in ("http", "https") else None
    if tag == "figure" and attribute == "data-image":
        return value.strip() if stored_image(value) else None
    return value


def _figures(html: str) -> str:
    """Each figure as a picture's or an embed's stored form or as its content, the innermost
    first (a made one waits as a placeholder so its own figure is not read again)."""
    made: list[str] = []

    def figure(match: re.Match) -> str:
        attributes = dict(_FIGURE_ATTRIBUTE.findall(match[1]))
        if kept := stored_image(attributes.get("image", "")):
            made.append(kept)
            return f"\x00{len(made) - 1}\x00"
        url = unescape(attributes.get("embed", ""))
        if url and (kept := embeds.stored(url)):
            made.append(kept)
            return f"\x00{len(made) - 1}\x00"
        if url and not _TEXT.sub("", match[2]):  # a refused embed with nothing inside
            quoted = escape(url)
            return f'<p><a href="{quoted}" rel="noopener noreferrer">{quoted}</a></p>'
        return _content(match[2])

    for _ in range(5):  # figures within figures
        html, found = _FIGURE.subn(figure, html)
        if not found:
            break
    return re.sub(r"\x00(\d+)\x00", lambda m: made[int(m[1])], html)


def _content(inside: str) -> str:
    inside = inside.strip()
    if not inside:
        return ""
    return inside if _HAS_BLOCK.search(inside) else f"<p>{inside}</p>"


def clean_html(html: str) -> str:
    """Return ``html`` reduced to the newsroom's allowlist.

    Scripts and styles go with their content; other unknown tags go but keep their text;
    event handlers, inline styles and classes go; links keep only http(s) and mailto URLs
    (relative links stay) and get ``rel="noopener noreferrer"``. An embed's figure stays, in
    its one stored form, only for an address ``articles.embeds`` allows (https, a site on its
    list); a picture's (``<figure data-image="ID">``) only for a numeric ID, emptied; any
    other figure becomes what it held (its link, as a paragraph).
    """
    cleaned = (
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            attribute_filter=_figure_attribute,
            url_schemes=ALLOWED_URL_SCHEMES,
            clean_content_tags={"script", "style"},
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
        .replace("\x00", "")
        .strip()
    )
    return _figures(cleaned) if "<figure" in cleaned else cleaned
