"""One WordPress post as one Newsroom story, written in its own transaction.

States: publish is published, future is published for its time to come (scheduled), draft is
a draft, pending is in review, private is not public (unpublished); a password-protected post
is not public either, as its text was not. Sticky posts are top stories. The excerpt is the
dek; the SEO title and description come from Yoast, Rank Math, All in One SEO or SEOPress.

A story is keyed by its WordPress post ID (``WordPressItem``). A second run writes nothing
for a post whose wanted values did not change, updates one that changed in the export, and
leaves a story edited in Newsroom since as it is: a conflict, reported.
"""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from html import unescape

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify

from .. import languages, search
from ..models import Article, ArticleAuthor, Author, WordPressItem
from . import addresses, blocks
from .media import MissingImage, Pictures
from .parse import Item, ItemError, moment
from .people import People

STATES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
    "private": Article.Status.UNPUBLISHED,
}
SEO_TITLE_KEYS = (
    "_yoast_wpseo_title",
    "rank_math_title",
    "_aioseo_title",
    "_aioseop_title",
    "_seopress_titles_title",
)
SEO_DESCRIPTION_KEYS = (
    "_yoast_wpseo_metadesc",
    "rank_math_description",
    "_aioseo_description",
    "_aioseop_description",
    "_seopress_titles_desc",
)
FINGERPRINT_FIELDS = (
    "headline",
    "slug",
    "dek",
    "description",
    "seo_title",
    "body",
    "status",
    "published_at",
    "updated_at",
    "featured",
    "language",
    "section_id",
    "lead_image_id",
)
#: Where a multilingual site's post says its language: Polylang's taxonomy (a term of the
#: domain "language"), else one of these post meta keys (WPML and others).
LANGUAGE_KEYS = ("_wpml_language", "wpml_language", "_locale", "language", "_language")
_SEO_VARIABLE = re.compile(r"%%\w+%%|#\w+|%\w+%")
#: The post's title as each plugin writes it in a template: Yoast %%title%%, Rank Math %title%,
#: SEOPress %%post_title%%, All in One SEO #post_title (Pack 3 and earlier %post_title%).
_SEO_HEADLINE = re.compile(r"%%(?:post_)?title%%|%(?:post_)?title%|#post_title\b")


@dataclass
class Outcome:
    result: str  # created, updated, unchanged, conflict, deleted
    state: str = ""
    notes: list[str] = field(default_factory=list)
    body: blocks.Body | None = None


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", " ", html or ""))).strip()


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else Truncator(text).chars(length)


def _seo(item: Item, keys, headline: str) -> str:
    for key in keys:
        value = item.meta_value(key)
        if value:
            # The headline first (it may hold a "#" or "%" of its own), then the other variables.
            parts = [_SEO_VARIABLE.sub("", part) for part in _SEO_HEADLINE.split(value)]
            value = headline.join(parts)
            return re.sub(r"\s+", " ", re.sub(r"\s+[-|\u2013\u00b7]\s*$", "", value)).strip(
                " -|\u2013\u00b7"
            )
    return ""


def stored_links(article: Article) -> tuple[list[int], list[int]]:
    """A story's byline (author ids in order) and tag ids as stored (two queries)."""
    authors = list(
        ArticleAuthor.objects.filter(article=article)
        .order_by("position", "pk")
        .values_list("author_id", flat=True)
    )
    return authors, sorted(article.tags.values_list("pk", flat=True))


def fingerprint(article: Article, authors: list[int], tags: list[int]) -> str:
    """A digest of the story as stored: what an edit in Newsroom would change. ``article``
    as loaded or just saved (its fields are the row's), ``authors`` and ``tags`` their ids."""
    row = {}
    for name in FINGERPRINT_FIELDS:
        value = getattr(article, name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC)  # as the database gives it back
        row[name] = value
    text = json.dumps([row, list(authors), sorted(tags)], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class Stories:
    def __init__(
        self,
        people: People,
        pictures: Pictures,
        *,
        zone: dt.tzinfo,
        prefix: str,
        language: str = "",
    ):
        self.people = people
        self.pictures = pictures
        self.zone = zone
        self.prefix = prefix
        self.language = languages.normalise(language)  # the export's, from its channel

    def language_of(self, item: Item) -> str:
        """The post's language when it is not the site's (empty when it is)."""
        found = next(
            (t.slug or t.name for t in item.terms if t.domain == "language" and (t.slug or t.name)),
            "",
        )
        found = found or next((item.meta_value(k) for k in LANGUAGE_KEYS if item.meta_value(k)), "")
        tag = languages.normalise(found) or self.language
        return "" if languages.is_site_language(tag) else tag

    def wanted(self, item: Item) -> tuple[dict, blocks.Body, list[str]]:
        """The story a post asks for, before anything is looked up or written."""
        notes = []
        status = STATES.get(item.status)
        if status is None:
            raise ItemError(f"unknown state {item.status!r}")
        headline = plain(item.title)
        published = moment(item.date_local, item.date_gmt, self.zone)
        modified = moment(item.modified_local, item.modified_gmt, self.zone)
        if not headline:
            if status == Article.Status.PUBLISHED:
                raise ItemError("a published post without a title")
            headline = f"Untitled (WordPress post {item.wp_id})"
        if len(headline) > 200:
            notes.append("headline shortened to 200 characters")
            headline = _shorten(headline, 200)
        if status in (Article.Status.DRAFT, Article.Status.REVIEW):
            published = None
        elif published is None and status == Article.Status.PUBLISHED:
            raise ItemError("a published post without a publication time")
        if item.password and status == Article.Status.PUBLISHED:
            status = Article.Status.UNPUBLISHED
            notes.append("password-protected: imported not public")
        updated = modified if published and modified and modified > published else None
        dek = plain(item.excerpt)
        if len(dek) > 300:
            notes.append("excerpt shortened to 300 characters for the dek")
            dek = _shorten(dek, 300)
        body = blocks.convert(item.content)
        slug = slugify(item.slug) or slugify(headline) or f"post-{item.wp_id}"
        values = {
            "headline": headline,
            "slug": slug[:200].strip("-"),
            "dek": dek,
            "description": _shorten(_seo(item, SEO_DESCRIPTION_KEYS, headline), 300),
            "seo_title": _shorten(_seo(item, SEO_TITLE_KEYS, headline), 200),
            "body": body.html,
            "status": status,
            "published_at": published,
            "updated_at": updated,
            "featured": item.sticky,
            "language": self.language_of(item),
        }
        return values, body, notes

    def _lead_image(self, item: Item, body: blocks.Body, headline: str, notes: list[str]):
        """The featured image, else the first picture of the body; and the library picture
        found for each of the body's (``None`` for one missing, or shown as the lead image
        already: the page would show it twice), for ``Body.with_pictures``."""
        lead = None
        found: list[int | None] = []
        thumbnail = item.meta_value("_thumbnail_id")
        if thumbnail.isdigit():
            try:
                lead = self.pictures.attachment(int(thumbnail))
            except MissingImage as exc:
                self.pictures.counts["missing"] += 1
                notes.append(f"featured image missing: {exc}")
        for picture in body.images:
            try:
                if picture.attachment_id:
                    try:
                        image = self.pictures.attachment(picture.attachment_id)
                    except MissingImage:
                        if not picture.src:
                            raise
                        image = self.pictures.image(
                            picture.src, alt=picture.alt, caption=picture.caption
                        )
                else:
                    image = self.pictures.image(
                        picture.src, alt=picture.alt, caption=picture.caption
                    )
            except MissingImage as exc:
                self.pictures.counts["missing"] += 1
                notes.append(f"image missing: {exc}")
                found.append(None)
                continue
            if image is not None:
                changed = []
                if picture.caption and not image.caption:
                    image.caption = picture.caption[:500]
                    changed.append("caption")
                if picture.alt and not image.alt_text:
                    image.alt_text = picture.alt[:250]
                    changed.append("alt_text")
                if changed:
                    image.save(update_fields=changed)
            lead = lead or image
            found.append(image.pk if image is not None and image != lead else None)
        if lead is not None and not lead.alt_text.strip():
            # A published story's lead image needs a description; the caption, else the
            # headline, stands in and the report says so.
            lead.alt_text = (lead.caption or headline)[:250]
            lead.save(update_fields=["alt_text"])
            notes.append("lead image had no alt text: its caption or the headline stands in")
        return lead, found

    def _byline(self, item: Item) -> list[Author]:
        logins = [
            term.slug.removeprefix("cap-")
            for term in item.terms
            if term.domain == "author" and term.slug
        ] or ([item.creator] if item.creator else [])
        authors = []
        for login in dict.fromkeys(logins):
            author = self.people.author(login)
            if author not in authors:
                authors.append(author)
        return authors

    def _taxonomy(self, item: Item):
        categories = [t for t in item.terms if t.domain == "category" and t.slug]
        section = None
        tags = []
        for index, term in enumerate(categories):
            if index == 0:
                section = self.people.section(term.slug, term.name)
                if self.people.is_nested(term.slug):
                    tags.append(self.people.tag("category", term.slug, term.name))
            elif term.slug != "uncategorized":
                tags.append(self.people.tag("category", term.slug, term.name))
        for term in item.terms:
            if term.domain == "post_tag" and term.slug:
                tags.append(self.people.tag("tag", term.slug, term.name))
        return section, list(dict.fromkeys(t for t in tags if t is not None))

    def source_hash(self, item: Item, values: dict) -> str:
        extra = {
            "terms": [(t.domain, t.slug, t.name) for t in item.terms],
            "creator": item.creator,
            "thumbnail": item.meta_value("_thumbnail_id"),
            "link": item.link,
            "old_slugs": item.meta_values("_wp_old_slug"),
            "mapping": repr(self.people.mapping),
        }
        text = json.dumps([values, extra], default=str, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def import_post(self, item: Item) -> Outcome:
        """Write one post in its own transaction; raise ItemError naming why it failed."""
        values, body, notes = self.wanted(item)
        state = values["status"]
        if state == Article.Status.PUBLISHED and values["published_at"] > timezone.now():
            state = "scheduled"
        source = self.source_hash(item, values)
        try:
            with transaction.atomic():
                result = self._write(item, values, body, notes, source)
        except ValidationError as exc:
            self._rolled_back()
            raise ItemError("; ".join(exc.messages)) from exc
        except DatabaseError as exc:
            self._rolled_back()
            raise ItemError(f"the database refused the story: {exc}") from exc
        except Exception:
            self._rolled_back()
            raise
        self.pictures.story_written()
        return Outcome(result=result, state=state, notes=notes, body=body)

    def _rolled_back(self) -> None:
        self.pictures.delete_new_files()
        self.people.forget()

    def _write(self, item: Item, values: dict, body, notes: list[str], source: str) -> str:
        # Queries per new story (asserted in tests): its record looked up, the slug checked,
        # the story, its first state, the old-slug check, the byline, the tags (two), the old
        # addresses and the record written; on PostgreSQL its search vector once more.
        record = (
            WordPressItem.objects.select_related("article")
            .filter(kind=WordPressItem.Kind.POST, wp_id=str(item.wp_id))
            .first()
        )
        article = None
        stored_authors: list[int] = []
        if record is not None:
            if record.article is None:
                return "deleted"
            if record.source_hash == source:
                return "unchanged"
            article = record.article
            stored_authors, stored_tags = stored_links(article)
            if fingerprint(article, stored_authors, stored_tags) != record.written_hash:
                return "conflict"
        section, tags = self._taxonomy(item)
        authors = self._byline(item)
        lead, pictures = self._lead_image(item, body, values["headline"], notes)
        values["body"] = body.with_pictures(pictures)
        slug = values.pop("slug")
        if article is None:
            article = Article()
            result = "created"
        else:
            result = "updated"
        if article.slug != slug:
            taken = Article.objects.filter(slug=slug).exclude(pk=article.pk).exists()
            if taken:
                base = f"{slug[:190]}-wp{item.wp_id}"
                notes.append(f"slug {slug!r} was taken: {base!r}")
                slug = base
            article.slug = slug
        for name, value in values.items():
            setattr(article, name, value)
        article.section = section
        article.lead_image = lead
        # The body is the sanitiser's already and save() runs it once more; the section,
        # lead image and authors are rows this run made or found; the slug was checked just
        # now; the database checks its own constraints (a refusal is reported as the reason).
        article.full_clean(
            exclude=["body", "section", "lead_image"],
            validate_unique=False,
            validate_constraints=False,
        )
        article.save()
        author_ids = [author.pk for author in authors]
        if stored_authors != author_ids:
            if result == "updated":
                article.bylines.all().delete()
            ArticleAuthor.objects.bulk_create(
                ArticleAuthor(article=article, author=author, position=index)
                for index, author in enumerate(authors)
            )
        if result == "created":
            if tags:
                article.tags.add(*tags)
        else:
            article.tags.set(tags)
        addresses.for_story(
            article,
            link=item.link,
            slug=item.slug,
            old_slugs=item.meta_values("_wp_old_slug"),
            wp_id=item.wp_id,
            prefix=self.prefix,
        )
        # The vector once, with the text and the tags (the importer holds the receivers off).
        search.update_search_vectors(Article.objects.filter(pk=article.pk))
        written = fingerprint(article, author_ids, [tag.pk for tag in tags])
        if record is None:
            WordPressItem.objects.create(
                kind=WordPressItem.Kind.POST,
                wp_id=str(item.wp_id),
                guid=item.guid[:500],
                article=article,
                source_hash=source,
                written_hash=written,
            )
        else:
            record.guid, record.article = item.guid[:500], article
            record.source_hash, record.written_hash = source, written
            record.save(
                update_fields=["guid", "article", "source_hash", "written_hash", "imported_at"]
            )
        return result
