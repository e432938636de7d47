"""An export's pictures as library images.

A picture is found, in this order, in the local copy of ``wp-content/uploads`` given with
``--uploads DIR`` (by the attachment's ``_wp_attached_file``, or by the part of its address
after ``/wp-content/uploads/``), else at its address: http(s) only, with a timeout and the
library's size limit, redirects followed only to http(s). It enters the library like every
upload (``Image.save()``: EXIF orientation applied, metadata stripped) unless an image with
the same bytes is there already (``Image.source_sha256``), which is then used.

A dry run stores no file: a picture is read from the uploads and checked as a real run would
check it, then counted as one to store, and none is fetched. What it would have stored is
remembered by its digest (and its attachment), so a picture used again counts as reused, as
it would in a real run.

Alt text, caption and credit come from the attachment: ``_wp_attachment_image_alt``, the
attachment's excerpt (its caption), and ``_media_credit`` or the credit (else copyright)
WordPress read from the file's IPTC data into ``_wp_attachment_metadata``.
"""

import hashlib
import re
import urllib.error
import urllib.request
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from ..models import Image, WordPressItem
from .parse import Item

UPLOADS = "/wp-content/uploads/"
TIMEOUT_SECONDS = 10
_PHP_STRING = r's:\d+:"{key}";s:\d+:"(.*?)";'


class MissingImage(Exception):
    """A picture that could not be had; the story is imported without it."""


def attachment_data(item: Item) -> dict:
    """What an attachment item says about its picture (kept in ``WordPressItem.data``)."""
    metadata = item.meta_value("_wp_attachment_metadata")
    credit = item.meta_value("_media_credit")
    for key in ("credit", "copyright"):
        if not credit and (found := re.search(_PHP_STRING.format(key=key), metadata)):
            credit = found[1].strip()
    return {
        "url": item.attachment_url or item.guid,
        "file": item.meta_value("_wp_attached_file"),
        "alt": item.meta_value("_wp_attachment_image_alt"),
        "caption": item.excerpt,
        "title": item.title,
        "credit": credit,
        "parent": item.parent,
    }


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.URLError(f"redirect to {newurl!r} refused (http(s) only)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SafeRedirects)


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The bytes at ``url`` (http or https), at most ``IMAGE_MAX_BYTES`` of them."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise MissingImage(f"{url!r} is not an http(s) address")
    limit = settings.IMAGE_MAX_BYTES
    request = urllib.request.Request(url, headers={"User-Agent": "Newsroom WordPress import"})  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise MissingImage(
                    f"{url}: {int(length):,} bytes, more than the limit of {limit:,}"
                )
            data = response.read(limit + 1)
    except MissingImage:
        raise
    except urllib.error.HTTPError as exc:
        raise MissingImage(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise MissingImage(f"{url}: {reason}") from None
    if len(data) > limit:
        raise MissingImage(f"{url}: more than the limit of {limit:,} bytes")
    return data


class Pictures:
    """Finds, fetches and stores the pictures of one run; counts what happened."""

    def __init__(self, uploads: str | None, *, dry_run: bool = False):
        self.uploads = Path(uploads).resolve() if uploads else None
        self.dry_run = dry_run
        self.counts = {"stored": 0, "reused": 0, "read": 0, "fetched": 0, "missing": 0}
        self.new_files: list[str] = []  # stored by the story being written (deleted if it fails)
        # A dry run's pictures it would store, by digest and by attachment ID; those of the
        # story being written are pending until it is (a story rolled back stores nothing).
        self._would_store: set[str] = set()
        self._would_attach: set[int] = set()
        self._pending: list[tuple[set, object]] = []

    def _local(self, relative: str) -> Path | None:
        if self.uploads is None or not relative:
            return None
        path = (self.uploads / unquote(relative).lstrip("/")).resolve()
        if not path.is_relative_to(self.uploads):
            return None  # "../" out of the folder
        return path if path.is_file() else None

    def _bytes(self, url: str, relative: str) -> tuple[bytes | None, str]:
        local = self._local(relative)
        if local is None and UPLOADS in url:
            local = self._local(urlsplit(url).path.split(UPLOADS, 1)[1])
        if local is not None:
            self.counts["read"] += 1
            return local.read_bytes(), local.name
        if self.uploads is not None and (relative or UPLOADS in url or "://" not in url):
            # A picture of the site's own uploads is read from their copy, never fetched.
            raise MissingImage(f"{relative or url} is not in {self.uploads}")
        if self.dry_run:
            self.counts["fetched"] += 1
            return None, ""
        data = fetch(url)
        self.counts["fetched"] += 1
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "image"
        return data, name

    def image(
        self, url: str, *, relative: str = "", alt: str = "", caption: str = "", credit: str = ""
    ):
        """The library image for a picture; raises MissingImage. In a dry run, None for a
        picture not in the library yet: it is checked but not stored."""
        data, name = self._bytes(url, relative)
        if data is None:
            return None
        digest = hashlib.sha256(data).hexdigest()
        found = Image.objects.filter(source_sha256=digest).first()
        if found is not None or digest in self._would_store:
            self.counts["reused"] += 1
            return found
        image = Image(alt_text=alt[:250], caption=caption[:500], credit=credit[:200])
        image.file = ContentFile(data, name=name)
        try:
            image.full_clean(exclude=["focal_x", "focal_y"])
            if not self.dry_run:
                image.save()
        except ValidationError as exc:
            raise MissingImage(f"{url or relative}: {' '.join(exc.messages)}") from None
        if self.dry_run:
            self._remember(self._would_store, digest)
            self.counts["stored"] += 1
            return None
        self.new_files.append(image.file.name)
        self.counts["stored"] += 1
        return image

    def attachment(self, attachment_id: int):
        """The library image of an attachment of the export (kept for the next story)."""
        item = WordPressItem.objects.filter(
            kind=WordPressItem.Kind.ATTACHMENT, wp_id=str(attachment_id)
        ).first()
        if item is None:
            raise MissingImage(f"attachment {attachment_id} is not in the export")
        if item.image_id is not None or attachment_id in self._would_attach:
            self.counts["reused"] += 1
            return item.image
        data = item.data
        image = self.image(
            data.get("url", ""),
            relative=data.get("file", ""),
            alt=data.get("alt", ""),
            caption=_plain(data.get("caption", "")),
            credit=data.get("credit", ""),
        )
        if image is not None:
            item.image = image
            item.save(update_fields=["image", "imported_at"])
        elif self.dry_run:
            self._remember(self._would_attach, attachment_id)
        return image

    def _remember(self, found: set, key) -> None:
        self._pending.append((found, key))
        found.add(key)

    def story_written(self) -> None:
        """The story's pictures are in for good (or, in a dry run, would be)."""
        self.new_files = []
        self._pending = []

    def delete_new_files(self) -> None:
        """The story was rolled back: its pictures are gone from storage (and from what a
        dry run remembers), so a later story stores them again."""
        storage = Image._meta.get_field("file").storage
        for name in self.new_files:
            storage.delete(name)
        self.new_files = []
        for found, key in self._pending:
            found.discard(key)
        self._pending = []


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", "", html or ""))).strip()
