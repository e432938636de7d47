"""The story body's editor (django-prose-editor) and what the server does with what it saves.

``BODY_EXTENSIONS`` is the newsroom's toolset: paragraphs, sub-headings (h2 to h4), bold,
italic, links, block quotes, bulleted and numbered lists, line breaks, clear formatting,
embeds and library pictures (kept as boxes), and undo/redo. The editor builds its menu and
its schema from it, so a writer cannot make anything else.

``clean_body()`` is the field's sanitiser, run whenever the model is validated (the admin
form, the importer, ``move_to()``). It first undoes the markup that word processors and web
pages put on the clipboard (Word's list paragraphs and bullet characters, Google Docs' bold
wrapper and styled spans, ``<font>``, ads, embeds, captions), then applies the one allowlist
in ``articles.sanitize.clean_html`` -- always the last word -- and finally drops the empty
paragraphs and stray line breaks the conversion leaves. On markup that is already clean it
changes nothing, so ``Article.save()`` calling ``clean_html`` again is harmless.

The editor cleans a paste in the browser too; the server does not rely on it.
"""

import re
from html import escape
from html.parser import HTMLParser

from . import embeds
from .sanitize import clean_html

#: The editor's toolset, by django-prose-editor (Tiptap) extension name. Document, Text,
#: Paragraph, the menu bar and the cursor helpers are added by the package itself.
BODY_EXTENSIONS = {
    "Paragraph": True,
    "Heading": {"levels": [2, 3, 4]},  # h1 is the headline, outside the body
    "Bold": True,
    "Italic": True,
    # No "open in new window" box: the allowlist drops ``target``.
    "Link": {"enableTarget": False},
    "Blockquote": True,
    "BulletList": True,
    # No start number / numbering style dialog: the allowlist keeps plain <ol>.
    "OrderedList": {"enableListAttributes": False},
    "ListItem": True,
    "HardBreak": True,  # Shift+Enter
    "History": True,  # undo, redo
    # "Clear formatting" (bold and italic off, the block back to a paragraph; Ctrl+\). Not
    # part of django-prose-editor 0.28: a small extension module provides it once it is
    # registered in settings.DJANGO_PROSE_EDITOR_EXTENSIONS. Until then the editor skips
    # the name, and the server needs nothing for it (it makes no markup).
    "ClearFormatting": True,
    # An embed as the body stores it (<figure data-embed>, articles/embeds.py), kept as one
    # block: a node of ours (static/js/prose-embed.js, in settings) shows it as a labelled box,
    # and its menu button inserts one from an allowed site (the server checks again).
    "Embed": {"providers": embeds.PROVIDERS},
    # A library picture as the body stores it (<figure data-image>, articles/body_images.py),
    # one block: a node of ours (static/js/prose-image.js, in settings) shows it as a box with
    # a preview, and its menu button inserts one by its number in the image library.
    "LibraryImage": True,
    # The package turns the browser's spell checker off by default; writers want it.
    "NoSpellCheck": False,
}


#: A live update's editor: the same, without body pictures (an update has a picture field of
#: its own, and its text shows none of the library's: ``with_pictures`` is the story body's).
LIVE_UPDATE_EXTENSIONS = {
    name: value for name, value in BODY_EXTENSIONS.items() if name != "LibraryImage"
}


def clean_body(html: str) -> str:
    """A story body as stored: pasted junk converted or removed, then the allowlist."""
    if not html:
        return ""
    cleaned = clean_html(normalise_pasted_html(html))
    return clean_html(_tidy_blocks(cleaned))


# Pasted markup -------------------------------------------------------------------------------

# Elements dropped with everything inside them: code, media and embeds (a body's pictures are
# the library's, as <figure data-image>; a pasted <img> has none), their captions, page
# furniture (ads and related links live in <aside> and <nav>), forms, and Word's XML.
_DROPPED = {
    "script",
    "style",
    "template",
    "noscript",
    "title",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "picture",
    "svg",
    "math",
    "canvas",
    "map",
    "figcaption",
    "aside",
    "nav",
    "form",
    "button",
    "select",
    "textarea",
    "xml",
}
# Text a web page hides from sighted readers ("opens in a new window", "advertisement").
_HIDDEN_CLASSES = {"sr-only", "visually-hidden", "screen-reader-text", "a11y-hidden"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
}
# Block containers that become paragraphs, so their text does not run into its neighbour's.
# A paragraph inside one of them simply closes it (the HTML parser does that), and the empty
# paragraphs left behind are removed afterwards.
_PARAGRAPH_LIKE = {
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "address",
    "center",
    "figure",
    "details",
    "summary",
    "fieldset",
    "legend",
    "dt",
    "dd",
    "td",
    "th",
    "caption",
    "pre",
}
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_KEPT_AS_IS = {"ul", "ol", "li", "blockquote", "q", "cite"}
_WORD_QUOTE_CLASSES = {"msoquote", "msointensequote", "msoblocktext"}
_WORD_LIST = re.compile(r"\bl(\d+)\s+level(\d+)")
_NUMBERED_MARKER = re.compile(r"^\s*[(\[]?(\d+|[a-z]|[ivxlcdm]+)[.)\]]", re.IGNORECASE)


def _style(attrs: dict[str, str | None]) -> dict[str, str]:
    declarations = {}
    for declaration in (attrs.get("style") or "").split(";"):
        name, colon, value = declaration.partition(":")
        if colon:
            declarations[name.strip().lower()] = value.strip().lower()
    return declarations


def _is_bold(weight: str | None) -> bool:
    return weight is not None and (
        weight in {"bold", "bolder"} or (weight.isdigit() and int(weight) >= 600)
    )


def _is_not_bold(weight: str | None) -> bool:
    return weight is not None and (
        weight in {"normal", "lighter"} or (weight.isdigit() and int(weight) < 600)
    )


class _Open:
    """An element open in the source, and what was written for it."""

    __slots__ = ("closers", "dropped", "marker", "tag", "word_item")

    def __init__(self, tag, closers=(), *, dropped=False, marker=False, word_item=False):
        self.tag = tag
        self.closers = list(closers)
        self.dropped = dropped
        self.marker = marker
        self.word_item = word_item


class _PasteNormaliser(HTMLParser):
    """Rewrites clipboard HTML into the body's vocabulary, element by element.

    Only the structure is decided here; security is ``clean_html``'s job, which runs on the
    result (and repairs any nesting this leaves odd).
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[_Open] = []
        self.dropped = 0  # open elements whose content is dropped
        self.markers = 0  # open Word list markers ("·", "1.") whose text is collected
        self.downlevel: str | None = None  # inside Word's <![if !support...]> fallback
        self.marker_text = ""
        self.word_lists: list[str] = []  # "ul"/"ol" per open Word list level
        self.pending_item: int | None = None  # level of a Word list item not yet written

    # The HTMLParser callbacks

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.dropped:
            if tag not in _VOID:
                self._push(_Open(tag, dropped=True))
            return
        style = _style(attrs)
        classes = {c.lower() for c in (attrs.get("class") or "").split()}
        word_list = None
        if tag == "p" and (match := _WORD_LIST.search(style.get("mso-list", ""))):
            word_list = int(match.group(2))
        if word_list is None and not self._in_word_item():
            self._close_word_lists()

        if (
            tag in _DROPPED
            or "hidden" in attrs
            or style.get("display") == "none"
            or style.get("visibility") == "hidden"
            or classes & _HIDDEN_CLASSES
        ):
            if tag not in _VOID:
                self._push(_Open(tag, dropped=True))
            return
        if style.get("mso-list") == "ignore":  # Word's bullet or number, written out
            self._push(_Open(tag, marker=True))
            return
        if tag in _VOID:
            if tag == "br" and not (self.downlevel or self.markers):
                self._resolve_pending_item()
                self.out.append("<br>")
            return
        if self.downlevel or self.markers:
            self._push(_Open(tag))
            return
        self._resolve_pending_item()

        if tag == "figure" and attrs.get("data-image"):
            # A library picture (articles/body_images.py): the allowlist keeps it, emptied,
            # when its ID is a number, and else what it holds.
            self._write(tag, ["figure"], attrs, ("data-image",))
        elif tag == "figure" and attrs.get("data-embed"):
            # An embed (articles/embeds.py): the allowlist judges its address and writes its
            # one stored form, or keeps what it holds (its link) when the site is refused.
            self._write(tag, ["figure"], attrs, ("data-embed",))
        elif word_list is not None:
            self.pending_item = word_list
            self.marker_text = ""
            self._push(_Open(tag, word_item=True))
        elif tag == "p" and classes & _WORD_QUOTE_CLASSES:
            self._write(tag, ["blockquote", "p"])
        elif tag == "p" or tag in _PARAGRAPH_LIKE:
            self._write(tag, ["p"])
        elif tag in _HEADINGS:
            self._write(tag, [_HEADINGS[tag]])
        elif tag in _KEPT_AS_IS:
            self._write(tag, [tag], attrs, ("cite",))
        elif tag == "a":
            if "href" in attrs:
                self._write(tag, ["a"], attrs, ("href", "title"))
            elif "name" in attrs or "id" in attrs:
                self._push(_Open(tag))  # a bookmark or an anchor: just its text
            else:
                self._write(tag, ["a"], attrs, ("title",))
        elif tag in {"b", "strong"}:
            # Google Docs wraps a whole copy in <b style="font-weight:normal">.
            self._write(tag, [] if _is_not_bold(style.get("font-weight")) else [tag])
        elif tag in {"i", "em"}:
            self._write(tag, [] if style.get("font-style") == "normal" else [tag])
        else:
            # <span>, <font>, <o:p>, <u>, ... keep their text, and bold or italic when their
            # style says so (Google Docs writes every bold word as a styled span).
            marks = []
            if _is_bold(style.get("font-weight")):
                marks.append("strong")
            if style.get("font-style") in {"italic", "oblique"}:
                marks.append("em")
            self._write(tag, marks)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                break
        else:
            return  # nothing to close
        if not self.dropped and not self.open[index].word_item and not self._in_word_item():
            self._close_word_lists()
        while len(self.open) > index:
            self._pop()

    def handle_data(self, data):
        if self.dropped:
            return
        if self.downlevel or self.markers:
            if self.downlevel == "supportlists" or self.markers:
                self.marker_text += data
            return
        if not data.strip():
            if not self.word_lists:
                self.out.append(escape(data, quote=False))
            return
        if not self._in_word_item():
            self._close_word_lists()
        self._resolve_pending_item()
        self.out.append(escape(data, quote=False))

    def unknown_decl(self, data):
        # Word's "downlevel-revealed" conditionals: <![if !supportLists]>...<![endif]> hold
        # what Word writes for programs without lists (a bullet character and spaces) or
        # without line breaks at the end of a paragraph (an extra <br>).
        condition = data.strip().lower()
        if condition.startswith("if !support"):
            self.downlevel = condition.removeprefix("if !")
        elif condition == "endif" and self.downlevel:
            self.downlevel = None

    def close(self):
        super().close()
        while self.open:
            self._pop()
        self._close_word_lists()

    # Helpers

    def _push(self, element: _Open):
        self.open.append(element)
        self.dropped += element.dropped
        self.markers += element.marker

    def _pop(self):
        element = self.open.pop()
        self.dropped -= element.dropped
        self.markers -= element.marker
        if element.word_item:
            self._resolve_pending_item()  # an empty item still counts
        self.out.extend(f"</{name}>" for name in reversed(element.closers))

    def _write(self, tag, names, attrs=None, keep=()):
        kept = "".join(
            f' {name}="{escape(attrs[name] or "")}"' for name in keep if attrs and name in attrs
        )
        for position, name in enumerate(names):
            # Attributes belong to the innermost element written (the <a>, the <p> ...).
            self.out.append(f"<{name}{kept if position == len(names) - 1 else ''}>")
        self._push(_Open(tag, names))

    def _in_word_item(self) -> bool:
        return any(element.word_item for element in self.open)

    def _resolve_pending_item(self):
        """Write the list structure for the Word list paragraph begun, now that its marker
        (a bullet, or a number or letter) is known."""
        if self.pending_item is None:
            return
        level, self.pending_item = max(1, self.pending_item), None
        kind = "ol" if _NUMBERED_MARKER.match(self.marker_text) else "ul"
        lists = self.word_lists
        while len(lists) > level:
            self.out.append(f"</li></{lists.pop()}>")
        if len(lists) == level:
            if lists[-1] == kind:
                self.out.append("</li>")
            else:
                self.out.append(f"</li></{lists.pop()}>")
        while len(lists) < level:
            lists.append(kind)
            self.out.append(f"<{kind}>")
            if len(lists) < level:
                self.out.append("<li>")  # a level skipped in the document
        self.out.append("<li>")

    def _close_word_lists(self):
        self._resolve_pending_item()
        while self.word_lists:
            self.out.append(f"</li></{self.word_lists.pop()}>")


def normalise_pasted_html(html: str) -> str:
    """Clipboard HTML from a word processor or a web page, in the body's vocabulary.

    Word's list paragraphs become ``<ul>``/``<ol>`` (nested by level) without their typed
    bullets and numbers, and its Quote style a block quote; Google Docs' ``<b
    style="font-weight:normal">`` wrapper goes and its bold and italic spans become
    ``<strong>``/``<em>``; ``<h1>`` becomes ``<h2>`` and ``<h5>``/``<h6>`` ``<h4>``; block
    containers (``<div>``, table cells ...) become paragraphs; media, embeds, captions, ads,
    scripts and hidden text go with their content; every other tag goes but keeps its text;
    every attribute goes except a link's ``href`` and ``title`` and a quote's ``cite``.
    """
    parser = _PasteNormaliser()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


# After the allowlist ---------------------------------------------------------------------------

_BLOCKS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "figure"}
# A block with nothing to read in it: Word's <p><o:p>&nbsp;</o:p></p> between paragraphs.
_EMPTY_BLOCK = re.compile(
    r"<(p|h2|h3|h4|blockquote)>(?:\s|&nbsp;|<br>|</?(?:strong|b|em|i)>)*</\1>"
)
_EDGE_BREAKS = re.compile(r"^(?:\s|<br>)+|(?:\s|<br>)+$")
_NOT_TEXT = re.compile(r"<[^>]*>|&nbsp;|\s")
# A Word list item after the browser editor has parsed it: the bullet or number Word typed,
# then the run of non-breaking spaces it pads it with ("·&nbsp;&nbsp;&nbsp;&nbsp; Text").
# Nobody types that; the editor has no list markup left to go on, so this is the signature.
_WORD_ITEM = re.compile(
    r"<p>(?:(?P<bullet>[\u00b7\u2022\u25aa\u25e6\u2023\u2043\u00a7\u00d8\u00fco\u2013-])"
    r"|(?P<number>\(?(?:\d{1,3}|[a-z]|[ivxlcdm]{1,6})[.)]))"
    r"(?:&nbsp;){2,}(?:\s|&nbsp;)*(?P<text>.*)</p>",
    re.DOTALL | re.IGNORECASE,
)


class _TopLevel(HTMLParser):
    """Splits clean HTML into its top-level blocks and the inline runs between them, as
    ``(tag, markup)``: the block's tag, or None for a run of inline content."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.parts: list[tuple[str | None, str]] = []
        self.depth = 0  # inside a top-level block
        self.inline_depth = 0  # inside an inline element outside any block

    def _add(self, markup: str, *, block: str | None = None):
        if block:
            self.parts.append((block, markup))
        elif self.parts and (self.depth or self.parts[-1][0] is None):
            self.parts[-1] = (self.parts[-1][0], self.parts[-1][1] + markup)
        else:
            self.parts.append((None, markup))

    def handle_starttag(self, tag, attrs):
        markup = self.get_starttag_text()
        if self.depth == 0 and tag in _BLOCKS and not self.inline_depth:
            self._add(markup, block=tag)
            self.depth = 1
        elif self.depth:
            self._add(markup)
            self.depth += tag != "br"
        else:
            self._add(markup)
            self.inline_depth += tag != "br"

    def handle_endtag(self, tag):
        self._add(f"</{tag}>")
        if self.depth:
            self.depth -= 1
        else:
            self.inline_depth = max(0, self.inline_depth - 1)

    def handle_data(self, data):
        self._add(data)

    def handle_entityref(self, name):
        self._add(f"&{name};")

    def handle_charref(self, name):
        self._add(f"&#{name};")


def _tidy_blocks(html: str) -> str:
    """Clean HTML without empty paragraphs, without anything outside a block (a run of text
    between two blocks becomes a paragraph, a run of only line breaks goes), and with Word's
    typed-out list items as lists."""
    for _ in range(3):  # a quote holding only an empty paragraph, ...
        html, found = _EMPTY_BLOCK.subn("", html)
        if not found:
            break
    top = _TopLevel()
    top.feed(html)
    top.close()
    out: list[str] = []
    open_list = None
    for tag, markup in top.parts:
        item = _WORD_ITEM.fullmatch(markup) if tag == "p" else None
        if item and _NOT_TEXT.sub("", item["text"]):
            kind = "ol" if item["number"] else "ul"
            if open_list != kind:
                out.append(f"</{open_list}>" if open_list else "")
                out.append(f"<{kind}>")
                open_list = kind
            out.append(f"<li>{item['text']}</li>")
            continue
        if open_list and tag is None and not markup.strip():
            continue  # white space between two items
        if open_list:
            out.append(f"</{open_list}>")
            open_list = None
        if tag or not markup.strip():
            out.append(markup)  # a block, or the white space between two
        elif _NOT_TEXT.sub("", markup):
            out.append(f"<p>{_EDGE_BREAKS.sub('', markup)}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    return "".join(out)
