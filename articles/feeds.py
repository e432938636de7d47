"""RSS 2.0 and Atom feeds: the whole site, each section and each author.

Every feed reads stories through ``Article.objects.published()`` only, so drafts, stories in
review, unpublished and scheduled stories never appear. A feed's query count does not grow
with its items: the section and lead image come with the stories, bylines and tags are
prefetched, and the enclosure's size is the one recorded with the image (no storage I/O).
"""

import html
import logging
import posixpath

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import feedgenerator
from django.utils.html import strip_tags

from newsroom import page_cache

from . import corrections
from .models import Article, ArticleAuthor, Author, Section

logger = logging.getLogger(__name__)

DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class NewsroomRssFeed(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with one ``<dc:creator>`` per byline author (RSS's own ``<author>`` wants an
    email address, which the newsroom does not publish)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DC_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name in item.get("author_names", ()):
            handler.addQuickElement("dc:creator", name)


class NewsroomAtomFeed(feedgenerator.Atom1Feed):
    """Atom 1.0 with one ``<author>`` per byline author, linking to the author's page. The
    feed's own author is the publication, which Atom requires for entries without a byline."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in item.get("author_entries", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")


def feed_stories(stories):
    """The list ``stories`` with everything a feed item shows, in a fixed number of queries."""
    return stories.defer(None).prefetch_related(  # the body too: a summary may come from it
        Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author")),
        "tags",
    )


class LatestStoriesFeed(Feed):
    """The whole site's latest stories, as RSS 2.0."""

    feed_type = NewsroomRssFeed
    link = reverse_lazy("articles:home")
    feed_url_name = "articles:feed"
    description_template = None
    language = settings.SITE_LANGUAGE

    def title(self):
        return f"{settings.SITE_NAME}: latest stories"

    def description(self):
        return settings.SITE_TAGLINE

    def feed_url(self, obj):
        return reverse(self.feed_url_name)

    def stories(self, obj):
        return feed_stories(Article.objects.newest())

    def items(self, obj):
        return list(self.stories(obj)[: settings.LIST_PAGE_SIZE])

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Enclosures and author pages are paths here; readers need full addresses.
        for item in feed.items:
            item["author_entries"] = [
                (name, request.build_absolute_uri(path)) for name, path in item["author_entries"]
            ]
            item["enclosures"] = [
                feedgenerator.Enclosure(
                    request.build_absolute_uri(enclosure.url),
                    enclosure.length,
                    enclosure.mime_type,
                )
                for enclosure in item["enclosures"]
            ]
        return feed

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        """The dek (else the description, else the body's opening words) as HTML: RSS's
        ``<description>`` and Atom's ``<summary type="html">`` are read as HTML, so the plain
        text is escaped (``<svg onload=…>`` in a dek is text, not markup)."""
        # The summary cut from the body keeps the body's entities: they are read as text.
        text = item.dek or item.description or html.unescape(strip_tags(item.summary))
        return html.escape(text, quote=False)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified

    def item_guid_is_permalink(self, item):
        return True

    def item_categories(self, item):
        names = [item.section.name] if item.section else []
        return names + [tag.name for tag in item.tags.all() if tag.name not in names]

    def item_extra_kwargs(self, item):
        authors = item.byline
        return {
            "author_names": [author.name for author in authors],
            "author_entries": [(author.name, author.get_absolute_url()) for author in authors],
        }

    def item_enclosures(self, item):
        image = item.lead_image
        if image is None or not image.file:
            return []
        # The mid-size JPEG copy the page shows, with its size as recorded (no storage I/O).
        name = image.fallback_name
        extension = posixpath.splitext(name)[1].lstrip(".").lower()
        mime_type = IMAGE_TYPES.get(extension)
        length = image.file_bytes.get(name)
        if not mime_type or not length:
            logger.warning("Feed: the size of image file %s (story %s) is unknown.", name, item.pk)
            return []
        return [feedgenerator.Enclosure(image.file.storage.url(name), str(length), mime_type)]


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = NewsroomAtomFeed
    author_name = settings.SITE_NAME
    feed_url_name = "articles:feed-atom"

    def subtitle(self):
        return self.description()


class SectionFeed(LatestStoriesFeed):
    """One section's latest stories."""

    feed_url_name = "articles:section-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or f"The latest {obj.name} stories from {settings.SITE_NAME}."

    def feed_url(self, obj):
        return reverse(self.feed_url_name, kwargs={"slug": obj.slug})

    def stories(self, obj):
        return feed_stories(Article.objects.in_section(obj))


class SectionAtomFeed(SectionFeed):
    feed_type = NewsroomAtomFeed
    author_name = settings.SITE_NAME
    feed_url_name = "articles:section-feed-atom"

    def subtitle(self, obj):
        return self.description(obj)


class AuthorFeed(SectionFeed):
    """One author's latest stories."""

    feed_url_name = "articles:author-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def description(self, obj):
        return obj.bio or f"The latest stories by {obj.name} for {settings.SITE_NAME}."

    def stories(self, obj):
        return feed_stories(Article.objects.by_author(obj))


class AuthorAtomFeed(AuthorFeed):
    feed_type = NewsroomAtomFeed
    author_name = settings.SITE_NAME
    feed_url_name = "articles:author-feed-atom"

    def subtitle(self, obj):
        return self.description(obj)


class CorrectionsFeed(Feed):
    """The public corrections record (``/corrections/``): every correction and update note of
    a public story, newest first, each linking to its story."""

    feed_type = NewsroomRssFeed
    link = reverse_lazy("articles:corrections")
    feed_url_name = "articles:corrections-feed"
    description_template = None
    language = settings.SITE_LANGUAGE

    def title(self):
        return f"{settings.SITE_NAME}: corrections and updates"

    def description(self):
        return f"Every correction and update note {settings.SITE_NAME} adds to its stories."

    def feed_url(self):
        return reverse(self.feed_url_name)

    def items(self):
        return list(corrections.public_notes()[: settings.LIST_PAGE_SIZE])

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.article.headline}"

    def item_description(self, item):
        """The note is plain text, and a feed reader reads the description as HTML: escaped."""
        return html.escape(item.text, quote=False)

    def item_link(self, item):
        return f"{item.article.get_absolute_url()}#note-{item.pk}"

    def item_guid(self, item):
        return f"{reverse('articles:corrections')}#note-{item.pk}"

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at

    def item_categories(self, item):
        return [item.get_kind_display()]


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = NewsroomAtomFeed
    author_name = settings.SITE_NAME
    feed_url_name = "articles:corrections-feed-atom"

    def subtitle(self):
        return self.description()


class LiveUpdatesFeed(Feed):
    """A live story's updates, newest first, each linking to its place on the story."""

    feed_type = NewsroomRssFeed
    description_template = None
    language = settings.SITE_LANGUAGE

    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.published().filter(live=True), slug=slug)

    def title(self, obj):
        return f"{obj.headline}: live updates"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.dek or obj.summary

    def feed_url(self, obj):
        return reverse("articles:live-feed", kwargs={"slug": obj.slug})

    def items(self, obj):
        page_cache.depends_on(f"live:{obj.pk}")
        updates = list(
            obj.live_updates.select_related("author").order_by("-published_at", "-pk")[
                : settings.LIST_PAGE_SIZE
            ]
        )
        for update in updates:
            update.article = obj  # their story, without a query each
        return updates

    def item_title(self, item):
        return str(item)

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return reverse("articles:live-update", kwargs={"slug": item.article.slug, "pk": item.pk})

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.modified_at, item.published_at)

    def item_extra_kwargs(self, item):
        return {"author_names": [item.author.name] if item.author else []}
