"""Reading a WordPress export (WXR: RSS 2.0 with WordPress's own elements), as a stream.

``check()`` reads the whole file once and raises ``ExportError`` if it is not well-formed,
truncated, hostile (a DTD, entities, external references: defusedxml refuses them) or not a
WordPress export; nothing is written before it has passed. ``read()`` then yields the site,
each author, category and tag, and each item, one at a time: an element is dropped from the
tree as soon as it has been read, so memory stays flat however long the file is.
"""

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
WP_PREFIX = "{http://wordpress.org/export/"
NO_DATE = "0000-00-00 00:00:00"


class ExportError(Exception):
    """The file as a whole cannot be imported (nothing is written)."""


class ItemError(Exception):
    """One item cannot be imported; the others go on."""


@dataclass
class Site:
    title: str = ""
    link: str = ""
    base_url: str = ""  # wp:base_blog_url, the site's home
    wxr_version: str = ""
    language: str = ""  # the channel's <language>, as WordPress writes it (he-IL)

    @property
    def prefix(self) -> str:
        """The path the site lives under ("" at the root, "/blog" in a folder)."""
        return urlsplit(self.base_url or self.link).path.rstrip("/")


@dataclass
class Person:
    login: str
    author_id: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Term:
    kind: str  # "category" or "tag"
    term_id: str
    slug: str
    name: str
    parent: str = ""  # the parent category's slug
    description: str = ""


@dataclass
class ItemTerm:
    domain: str  # category, post_tag, author (Co-Authors Plus), post_format ...
    slug: str
    name: str


@dataclass
class Item:
    wp_id: int
    post_type: str
    status: str
    title: str = ""
    slug: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    date_local: str = ""
    date_gmt: str = ""
    modified_local: str = ""
    modified_gmt: str = ""
    parent: int = 0
    password: str = ""
    sticky: bool = False
    attachment_url: str = ""
    terms: list[ItemTerm] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: int = 0

    def meta_value(self, key: str) -> str:
        for name, value in self.meta:
            if name == key and value.strip():
                return value.strip()
        return ""

    def meta_values(self, key: str) -> list[str]:
        return [value.strip() for name, value in self.meta if name == key and value.strip()]


def _name(tag: str) -> str:
    """``{namespace}local`` as ``prefix:local`` for the namespaces of an export."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    if namespace.startswith(WP_PREFIX[1:]):
        return f"excerpt:{local}" if namespace.rstrip("/").endswith("excerpt") else f"wp:{local}"
    if namespace == CONTENT[1:-1]:
        return f"content:{local}"
    if namespace == DC[1:-1]:
        return f"dc:{local}"
    return local


def _children(path, *, on_progress=None) -> Iterator[Element]:
    """The children of ``<channel>`` one at a time, each removed from the tree once read.
    Raises ExportError naming the problem of a file that is not a WordPress export."""
    depth = 0
    root = channel = parent = None
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            events = iterparse(
                handle, events=("start", "end"), forbid_dtd=True, forbid_entities=True
            )
            for event, element in events:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = element
                        if element.tag != "rss":
                            raise ExportError(
                                f"not a WordPress export: the document is <{element.tag}>, "
                                "not <rss> (use the file Tools > Export writes)"
                            )
                    elif depth == 2:
                        parent = element
                        if channel is None and element.tag == "channel":
                            channel = element
                    continue
                if depth == 3 and parent is not None:
                    if parent is channel:
                        yield element
                    parent.remove(element)
                    if on_progress is not None:
                        on_progress(handle.tell(), size)
                elif depth == 2 and root is not None:
                    root.remove(element)
                depth -= 1
    except DTDForbidden:
        raise ExportError(
            "refused: the file declares a document type (<!DOCTYPE>), which a WordPress "
            "export never has; such a file can expand entities or read other files"
        ) from None
    except EntitiesForbidden as exc:
        raise ExportError(
            f"refused: the file declares the entity {exc.name!r} (entity expansion)"
        ) from None
    except ExternalReferenceForbidden as exc:
        raise ExportError(
            f"refused: the file refers to an external resource {exc.sysid!r}"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        if "no element found" in str(exc) or "unclosed token" in str(exc):
            raise ExportError(
                f"the file is truncated: it ends at line {line}, column {column} before its "
                f"elements are closed ({exc})"
            ) from None
        raise ExportError(f"not well-formed XML at line {line}, column {column}: {exc}") from None
    except OSError as exc:
        raise ExportError(f"cannot read the file: {exc}") from None
    if channel is None:
        raise ExportError("not a WordPress export: the <rss> document has no <channel>")


def check(path) -> dict[str, int]:
    """Read the whole file once without keeping it; raise ExportError if it cannot be
    imported. Returns how many elements of each kind it holds."""
    counts: dict[str, int] = {}
    wxr = False
    for element in _children(path):
        name = _name(element.tag)
        counts[name] = counts.get(name, 0) + 1
        wxr = wxr or name.startswith("wp:")
        if name == "item":
            wxr = wxr or any(_name(child.tag).startswith("wp:") for child in element)
        element.clear()
    if not wxr:
        raise ExportError(
            "not a WordPress export: the feed has no WordPress elements (wp:...); an "
            "ordinary RSS feed has no authors, states or categories to import"
        )
    return counts


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _fields(element: Element) -> dict[str, str]:
    return {_name(child.tag): (child.text or "") for child in element}


def _person(element: Element) -> Person:
    f = _fields(element)
    return Person(
        login=f.get("wp:author_login", "").strip(),
        author_id=f.get("wp:author_id", "").strip(),
        display_name=f.get("wp:author_display_name", "").strip(),
        first_name=f.get("wp:author_first_name", "").strip(),
        last_name=f.get("wp:author_last_name", "").strip(),
    )


def _term(element: Element, kind: str) -> Term:
    """A category or tag of the header; its fields are named after its element, which a
    ``wp:term`` (any taxonomy's) names ``term_*`` whichever ``kind`` it is."""
    f = _fields(element)
    element_name = _name(element.tag)
    if element_name == "wp:category":
        slug, name, parent = "category_nicename", "cat_name", "category_parent"
        description = "category_description"
    elif element_name == "wp:tag":
        slug, name, parent, description = "tag_slug", "tag_name", "", "tag_description"
    else:  # wp:term
        slug, name, parent, description = (
            "term_slug",
            "term_name",
            "term_parent",
            "term_description",
        )
    return Term(
        kind=kind,
        term_id=f.get("wp:term_id", "").strip(),
        slug=unquote(f.get(f"wp:{slug}", "").strip()),
        name=f.get(f"wp:{name}", "").strip(),
        parent=unquote(f.get(f"wp:{parent}", "").strip()) if parent else "",
        description=f.get(f"wp:{description}", "").strip(),
    )


def _int(value: str, what: str) -> int:
    try:
        return int(value.strip() or 0)
    except ValueError:
        raise ItemError(f"{what} is not a number: {value.strip()!r}") from None


def _item(element: Element) -> Item:
    f = _fields(element)
    wp_id = _int(f.get("wp:post_id", ""), "wp:post_id")
    item = Item(
        wp_id=wp_id,
        post_type=f.get("wp:post_type", "post").strip() or "post",
        status=f.get("wp:status", "").strip(),
        title=f.get("title", "").strip(),
        slug=unquote(f.get("wp:post_name", "").strip()),
        link=f.get("link", "").strip(),
        guid=f.get("guid", "").strip(),
        creator=f.get("dc:creator", "").strip(),
        content=f.get("content:encoded", ""),
        excerpt=f.get("excerpt:encoded", "").strip(),
        date_local=f.get("wp:post_date", "").strip(),
        date_gmt=f.get("wp:post_date_gmt", "").strip(),
        modified_local=f.get("wp:post_modified", "").strip(),
        modified_gmt=f.get("wp:post_modified_gmt", "").strip(),
        parent=_int(f.get("wp:post_parent", ""), "wp:post_parent"),
        password=f.get("wp:post_password", "").strip(),
        sticky=f.get("wp:is_sticky", "0").strip() == "1",
        attachment_url=f.get("wp:attachment_url", "").strip(),
    )
    if wp_id <= 0:
        raise ItemError("the item has no wp:post_id")
    for child in element:
        name = _name(child.tag)
        if name == "category":
            domain = child.get("domain", "category")
            item.terms.append(
                ItemTerm(
                    # WXR 1.0 (WordPress 2.x) put a post's tags in the domain "tag".
                    domain="post_tag" if domain == "tag" else domain,
                    slug=unquote(child.get("nicename", "")),
                    name=(child.text or "").strip(),
                )
            )
        elif name == "wp:postmeta":
            meta = _fields(child)
            item.meta.append((meta.get("wp:meta_key", "").strip(), meta.get("wp:meta_value", "")))
        elif name == "wp:comment":
            item.comments += 1
    return item


def read(path, *, on_progress=None) -> Iterator[tuple[str, object]]:
    """Yield ``("site", Site)`` once the header is read, then ``("author", Person)``,
    ``("category"|"tag", Term)`` and ``("item", Item | ItemError)`` in file order. An item
    that cannot be read is yielded as its ItemError (with ``wp_id`` and ``title`` set as far
    as they could be read), so the caller reports it and goes on."""
    site = Site()
    announced = False
    for element in _children(path, on_progress=on_progress):
        name = _name(element.tag)
        if name in ("title", "link") and not announced:
            setattr(site, name, _text(element))
        elif name == "wp:base_blog_url":
            site.base_url = _text(element)
        elif name == "wp:wxr_version":
            site.wxr_version = _text(element)
        elif name == "language" and not announced:
            site.language = _text(element)
        elif name == "wp:author":
            yield "author", _person(element)
        elif name == "wp:category":
            yield "category", _term(element, "category")
        elif name == "wp:tag":
            yield "tag", _term(element, "tag")
        elif name == "wp:term":
            taxonomy = _fields(element).get("wp:term_taxonomy", "").strip()
            if taxonomy in ("category", "post_tag"):
                term = _term(element, "category" if taxonomy == "category" else "tag")
                yield term.kind, term
        elif name == "item":
            if not announced:
                announced = True
                yield "site", site
            try:
                yield "item", _item(element)
            except ItemError as exc:
                f = _fields(element)
                exc.wp_id = f.get("wp:post_id", "").strip() or "?"
                exc.title = f.get("title", "").strip()
                yield "item", exc
        element.clear()
    if not announced:
        yield "site", site


def moment(local: str, gmt: str, fallback_zone: dt.tzinfo) -> dt.datetime | None:
    """An export's time as an aware datetime in the site's own offset (the difference of
    its local and UTC times); with no UTC time (a draft's), the local time in
    ``fallback_zone``. None for WordPress's "no date"."""
    try:
        local_time = dt.datetime.fromisoformat(local) if local and local != NO_DATE else None
        utc_time = dt.datetime.fromisoformat(gmt) if gmt and gmt != NO_DATE else None
    except ValueError as exc:
        raise ItemError(f"unreadable time {local or gmt!r}: {exc}") from None
    if utc_time is None:
        return local_time.replace(tzinfo=fallback_zone) if local_time else None
    utc_time = utc_time.replace(tzinfo=dt.UTC)
    if local_time is None:
        return utc_time
    minutes = round((local_time - utc_time.replace(tzinfo=None)).total_seconds() / 900) * 15
    if abs(minutes) > 14 * 60:
        return utc_time
    return utc_time.astimezone(dt.timezone(dt.timedelta(minutes=minutes)))
