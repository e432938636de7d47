"""A WordPress post's content as a Newsroom body.

Both editors' markup is handled: block-editor content (HTML between ``<!-- wp:name -->``
comments) and classic content (HTML whose paragraphs are blank lines, with shortcodes).
``convert()`` turns either into HTML in the body's vocabulary and says what it took out:

- pictures (``<img>``, ``wp:image``, ``[caption]``, galleries) are listed with their caption
  and alt text, for the library, and each leaves a placeholder at its place in the text,
  ``<figure data-image="N">`` with N its index in ``Body.images``: once the pictures are in
  the library, ``Body.with_pictures()`` makes each the body's own picture
  (``articles/body_images.py``) or removes it;
- embeds (``wp:embed`` and ``core-embed/*`` blocks, ``[embed]``, a URL alone on a line, an
  ``<iframe>`` of a known provider) become the body's embeds when ``articles.embeds`` allows
  the site (``<figure data-embed>``), else a paragraph with a link to what was embedded,
  named after the provider when it is a known one;
- scripts and other iframes are dropped and counted, as are dynamic blocks (latest posts,
  archives ...) and shortcodes whose output WordPress made at request time.

The result then goes through the one sanitiser (``rich_text.clean_body``), which has the
last word on what is kept.
"""

import json
import re
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from .. import embeds, rich_text, sanitize

#: Hosts whose embeds are known: the sites ``articles.embeds`` allows (kept as embeds) and
#: others WordPress embeds, whose links are named after them; any other is a plain link.
PROVIDERS = {
    **embeds.PROVIDERS,
    "youtube-nocookie.com": "YouTube",
    "soundcloud.com": "SoundCloud",
    "spotify.com": "Spotify",
    "flickr.com": "Flickr",
    "dailymotion.com": "Dailymotion",
    "ted.com": "TED",
}

_BLOCK = re.compile(
    r"<!--\s+(/)?wp:([a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s*(\{.*?\})?\s*(/)?-->", re.S
)
#: Blocks WordPress renders at request time from other content: nothing of them is stored.
_LEFT_OUT = {
    "separator",
    "spacer",
    "more",
    "nextpage",
    "buttons",
    "button",
    "search",
    "social-links",
}
_CAPTION = re.compile(r"\[(?:wp_)?caption([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.S | re.I)
_CAPTION_PARTS = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)
_GALLERY = re.compile(r"\[gallery([^\]]*)\]", re.I)
_EMBED = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S | re.I)
_MEDIA = re.compile(r"\[(video|audio)([^\]]*)\](?:.*?\[/\1\])?", re.S | re.I)
# A shortcode WordPress expanded when the page was served: an enclosing pair, or one with
# attributes. A bracket in prose ("[sic]", "[1]") has neither and stays.
_SHORTCODE_PAIR = re.compile(r"\[([a-z][\w-]*)(?:\s[^\]]*)?\](.*?)\[/\1\]", re.S | re.I)
_SHORTCODE_ATTRS = re.compile(
    r"\[[a-z][\w-]*\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s\]]+)[^\]]*\]", re.I
)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))""")
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.M)
_BLOCK_START = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|blockquote|figure|table|pre|hr|dl|section|address|"
    r"iframe|script|style|form|!--)\b",
    re.I,
)
_WP_IMAGE = re.compile(r"\bwp-image-(\d+)\b")
_PLACEHOLDER = re.compile(r'<figure data-image="(\d+)"></figure>')


@dataclass
class BodyImage:
    src: str
    alt: str = ""
    caption: str = ""
    attachment_id: int | None = None


@dataclass
class Body:
    html: str
    images: list[BodyImage] = field(default_factory=list)
    galleries_of_post: int = 0  # [gallery] without ids: the post's own attachments
    embeds: int = 0  # kept as embeds
    embeds_as_links: int = 0  # from a site not allowed, or no usable address
    scripts_dropped: int = 0
    iframes_dropped: int = 0
    blocks_dropped: int = 0
    shortcodes_dropped: int = 0

    def with_pictures(self, image_ids: list[int | None]) -> str:
        """The body with each placeholder as the library picture found for it
        (``image_ids``, one per ``images``), or without it when there is none (missing, or
        shown as the lead image already)."""

        def picture(match: re.Match) -> str:
            index = int(match[1])
            found = image_ids[index] if index < len(image_ids) else None
            return sanitize.stored_image(str(found)) if found else ""

        return _PLACEHOLDER.sub(picture, self.html)


def provider(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for domain, name in PROVIDERS.items():
        if host == domain or host.endswith(f".{domain}"):
            return name
    return ""


def _attrs(text: str) -> dict[str, str]:
    return {m[1].lower(): unescape(m[2] or m[3] or m[4] or "") for m in _ATTR.finditer(text)}


def embed_link(url: str, body: Body) -> str:
    """An embed of ``url``: the body's own when the site is allowed, else a link to it."""
    url = unescape(url.strip())
    if urlsplit(url).scheme not in ("http", "https"):
        return ""
    if kept := embeds.stored(embeds.canonical_url(url)):
        body.embeds += 1
        return kept
    body.embeds_as_links += 1
    name = provider(url)
    link = f'<a href="{escape(url)}">{escape(url)}</a>'
    return f"<p>{escape(name)}: {link}</p>" if name else f"<p>{link}</p>"


def _blocks(content: str, body: Body) -> str:
    """Block-editor markup without its block comments; embeds made, dynamic blocks
    dropped."""
    out: list[str] = []
    position = 0
    skipping: list[str] = []  # names of open blocks whose content is replaced or dropped
    for match in _BLOCK.finditer(content):
        closing, name, raw_attrs, self_closing = match.groups()
        if not skipping:
            out.append(content[position : match.start()])
        position = match.end()
        short = name.removeprefix("core/")
        if closing:
            if skipping and skipping[-1] == name:
                skipping.pop()
            continue
        try:
            attrs = json.loads(raw_attrs) if raw_attrs else {}
        except ValueError:
            attrs = {}
        if skipping:
            if not self_closing:
                skipping.append(name)
            continue
        if short == "embed" or short.startswith("core-embed/"):
            out.append(embed_link(str(attrs.get("url", "")), body))
        elif self_closing:
            # A block with no stored markup (latest posts, archives, a reusable block ...)
            body.blocks_dropped += 1
            continue
        elif short in _LEFT_OUT:
            body.blocks_dropped += short not in ("more", "nextpage", "separator", "spacer")
        else:
            continue
        if not self_closing:
            skipping.append(name)
    if not skipping:
        out.append(content[position:])
    return "".join(out)


def _caption(match: re.Match) -> str:
    attrs, inner = _attrs(match[1]), match[2]
    parts = _CAPTION_PARTS.match(inner)
    picture, text = (parts[1], parts[2]) if parts else (inner, "")
    text = text.strip() or escape(attrs.get("caption", ""))
    return f"<figure>{picture}<figcaption>{text}</figcaption></figure>"


def _shortcodes(content: str, body: Body) -> str:
    content = _CAPTION.sub(_caption, content)
    content = _GALLERY.sub(
        lambda m: f'<figure data-wp-gallery="{escape(_attrs(m[1]).get("ids", ""))}"></figure>',
        content,
    )
    content = _EMBED.sub(lambda m: embed_link(m[1], body), content)
    content = _MEDIA.sub(
        lambda m: embed_link(
            next((v for k, v in _attrs(m[2]).items() if k in {"src", "mp4", "mp3"}), ""), body
        ),
        content,
    )

    def drop_pair(match):
        body.shortcodes_dropped += 1
        return match[2]

    def drop(match):
        body.shortcodes_dropped += 1
        return ""

    for _ in range(3):  # nested pairs
        content, found = _SHORTCODE_PAIR.subn(drop_pair, content)
        if not found:
            break
    return _SHORTCODE_ATTRS.sub(drop, content)


def autop(content: str, body: Body) -> str:
    """Classic content's paragraphs (WordPress's wpautop, in short): text separated by a
    blank line is a paragraph, a single line break a <br>, and a URL alone on its line an
    embed."""
    content = content.replace("\r\n", "\n").replace("\r", "\n")
    content = _URL_LINE.sub(lambda m: embed_link(m[1], body), content)
    out = []
    for chunk in re.split(r"\n\s*\n", content):
        if not chunk.strip():
            continue
        if _BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk.strip()) + "</p>")
    return "\n".join(out)


class _Pictures(HTMLParser):
    """Takes pictures, scripts and iframes out of HTML and leaves the rest as it was."""

    def __init__(self, body: Body):
        super().__init__(convert_charrefs=False)
        self.body = body
        self.out: list[str] = []
        self.dropping: str | None = None  # "script"/"style"/"iframe" being dropped
        self.figures: list[list[BodyImage]] = []  # the pictures of each open <figure>
        self.embed_figures: list[bool] = []  # each open <figure>: an embed's (kept whole)?
        self.caption: list[str] | None = None
        self.links: list[int] = []  # where each open <a> was written

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if self.dropping:
            return
        if tag in ("script", "style"):
            self.dropping = tag
            self.body.scripts_dropped += tag == "script"
        elif tag == "iframe":
            self.dropping = tag
            src = attrs.get("src", "")
            if src.startswith("//"):  # protocol-relative, as many embed codes were
                src = f"https:{src}"
            if provider(src):
                self.out.append(embed_link(src, self.body))
            else:
                self.body.iframes_dropped += 1
        elif tag == "figure" and "data-embed" in attrs:
            self.embed_figures.append(True)  # made by embed_link(); the sanitiser judges it
            self.out.append(self.get_starttag_text())
        elif tag == "figure":
            self.embed_figures.append(False)
            self.figures.append([])
            for image_id in filter(None, attrs.get("data-wp-gallery", "").split(",")):
                if image_id.strip().isdigit():
                    self.figures[-1].append(BodyImage(src="", attachment_id=int(image_id)))
            if "data-wp-gallery" in attrs and not attrs["data-wp-gallery"]:
                self.body.galleries_of_post += 1
        elif tag == "figcaption" and self.figures:
            self.caption = []
        elif tag == "img":
            found = _WP_IMAGE.search(attrs.get("class", ""))
            image = BodyImage(
                src=unescape(attrs.get("src", "")),
                alt=unescape(attrs.get("alt", "")).strip(),
                attachment_id=int(found[1]) if found else None,
            )
            if image.src or image.attachment_id:
                if self.figures:
                    self.figures[-1].append(image)
                elif self.embed_figures and self.embed_figures[-1]:
                    self.body.images.append(image)  # an embed's: to the library only
                else:
                    self.out.append(self._placeholder(image))
        elif self.caption is not None:
            self.caption.append(self.get_starttag_text())
        elif tag == "a":
            self.links.append(len(self.out))
            self.out.append(self.get_starttag_text())
        else:
            self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style", "iframe"):
            self.dropping = None

    def handle_endtag(self, tag):
        if self.dropping:
            if tag == self.dropping:
                self.dropping = None
            return
        if tag == "figcaption" and self.caption is not None:
            text = re.sub(r"<[^>]*>", "", "".join(self.caption))
            caption = re.sub(r"\s+", " ", unescape(text)).strip()
            if self.figures:
                for image in self.figures[-1] if len(self.figures[-1]) == 1 else ():
                    image.caption = caption
            self.caption = None
        elif tag == "figure" and self.embed_figures and self.embed_figures.pop():
            self.out.append("</figure>")
        elif tag == "figure" and self.figures:
            pictures = self.figures.pop()
            if self.figures:  # a figure within a figure (a gallery's): the outer one's
                self.figures[-1].extend(pictures)
            else:
                # Nothing of a figure stays in the text but what it held besides pictures,
                # and the pictures' placeholders after it.
                self.out.extend(self._placeholder(picture) for picture in pictures)
        elif self.caption is not None:
            self.caption.append(f"</{tag}>")
        elif tag == "a" and self.links:
            start = self.links.pop()
            inside = "".join(self.out[start + 1 :])
            if not re.sub(r"<[^>]*>|\s|&nbsp;", "", inside):
                # A link around a picture, now empty: the picture stays, without the link.
                self.out[start:] = [p for p in self.out[start + 1 :] if _PLACEHOLDER.match(p)]
            else:
                self.out.append("</a>")
        elif tag not in ("img",):
            self.out.append(f"</{tag}>")

    def _placeholder(self, image: BodyImage) -> str:
        self.body.images.append(image)
        return f'<figure data-image="{len(self.body.images) - 1}"></figure>'

    def _text(self, text):
        if self.dropping:
            return
        (self.caption if self.caption is not None else self.out).append(text)

    def handle_data(self, data):
        self._text(data)

    def handle_entityref(self, name):
        self._text(f"&{name};")

    def handle_charref(self, name):
        self._text(f"&#{name};")

    def handle_comment(self, data):
        pass


_HEADING = re.compile(r"<(/?)h([2-4])>")
_EMPTY_LIST = re.compile(r"<li>(?:\s|<br>)*</li>|<(ul|ol)>\s*</\1>")
_BETWEEN_BLOCKS = re.compile(r"(</(?:p|h[2-4]|ul|ol|blockquote|figure)>)\s+(?=<)")


def _heading_levels(html: str) -> str:
    """Sub-headings that start at h2 (the page's h1 is the headline) and skip no level, as
    WordPress themes did not insist on (a post whose first sub-heading is an h3)."""
    level = 1
    opened: list[int] = []

    def relevel(match):
        nonlocal level
        if match[1]:
            return f"</h{opened.pop() if opened else match[2]}>"
        level = min(int(match[2]), level + 1)
        opened.append(level)
        return f"<h{level}>"

    return _HEADING.sub(relevel, html)


def convert(content: str) -> Body:
    """A post's content (block or classic) as a Newsroom body and what was taken out."""
    body = Body(html="")
    if "<!-- wp:" in content:
        html = _shortcodes(_blocks(content, body), body)
    else:
        html = autop(_shortcodes(content, body), body)
    pictures = _Pictures(body)
    pictures.feed(html)
    pictures.close()
    html = _heading_levels(rich_text.clean_body("".join(pictures.out)))
    for _ in range(3):  # a gallery's list, its pictures gone
        html, found = _EMPTY_LIST.subn("", html)
        if not found:
            break
    body.html = _BETWEEN_BLOCKS.sub(r"\1", html)
    return body
