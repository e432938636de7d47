"""Sitemaps for search engines: stories (with their lead images), sections, authors, and a
Google News sitemap of the last 48 hours' stories.

Like the feeds, every sitemap reads stories through ``Article.objects.published()`` only, and
its query count does not grow with its entries. Addresses are absolute, built from the
request's scheme and host (django.contrib.sites is not installed).
"""

import datetime as dt
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Article, Author, Section

# The one template for every section of the index: it writes image and news entries when an
# entry has them (the namespaces are declared on every urlset, which any reader accepts).
TEMPLATE_NAME = "sitemaps/newsroom_sitemap.xml"
NEWS_WINDOW = dt.timedelta(hours=48)
NEWS_MAX_ENTRIES = 1000  # Google News reads at most this many per sitemap


def _public_stories_filter(prefix: str) -> Q:
    return Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
        }
    )


def _last_story_change(prefix: str):
    """The latest change to a public story, as an aggregate over ``prefix``."""
    return Max(
        Coalesce(f"{prefix}updated_at", f"{prefix}published_at"),
        filter=_public_stories_filter(prefix),
    )


class ArticleSitemap(Sitemap):
    """Every public story, with its lead image (Google image sitemap extension)."""

    # Pages of 1,000 (the index lists each).
    limit = 1000

    def items(self):
        return (
            Article.objects.published()
            .select_related("lead_image")
            .only(
                "slug",
                "published_at",
                "updated_at",
                "lead_image__file",
                "lead_image__renditions",
                "lead_image__width",
                "lead_image__height",
            )
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return item.modified

    def get_latest_lastmod(self):
        # One aggregate, not every story loaded (the default takes the max in Python).
        return Article.objects.published().aggregate(
            latest=Max(Coalesce("updated_at", "published_at"))
        )["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            image = url["item"].lead_image
            if image is not None and image.file:
                url["image_loc"] = urljoin(url["location"], image.fallback_url)
        return urls


class NewsSitemap(ArticleSitemap):
    """Google News: the stories published in the last 48 hours."""

    limit = NEWS_MAX_ENTRIES

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("slug", "headline", "published_at", "updated_at")
            .order_by("-published_at", "-pk")[:NEWS_MAX_ENTRIES]
        )

    def get_latest_lastmod(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .aggregate(latest=Max(Coalesce("updated_at", "published_at")))["latest"]
        )

    def get_urls(self, page=1, site=None, protocol=None):
        urls = Sitemap.get_urls(self, page=page, site=site, protocol=protocol)
        for url in urls:
            url["news"] = {
                "name": settings.SITE_NAME,
                "language": settings.SITE_LANGUAGE,
                "publication_date": url["item"].published_at,
                "title": url["item"].headline,
            }
        return urls


class SectionSitemap(Sitemap):
    """Every section; its last change is the latest change to one of its public stories."""

    def items(self):
        return Section.objects.annotate(last_story=_last_story_change("articles__")).order_by(
            "order", "name"
        )

    def lastmod(self, item):
        return item.last_story

    def get_latest_lastmod(self):
        return (
            Article.objects.published()
            .filter(section__isnull=False)
            .aggregate(latest=Max(Coalesce("updated_at", "published_at")))["latest"]
        )


class AuthorSitemap(Sitemap):
    """The authors with at least one public story."""

    def items(self):
        return (
            Author.objects.annotate(last_story=_last_story_change("articles__"))
            .filter(last_story__isnull=False)
            .order_by("name", "pk")
        )

    def lastmod(self, item):
        return item.last_story

    def get_latest_lastmod(self):
        return (
            Article.objects.published()
            .filter(authors__isnull=False)
            .aggregate(latest=Max(Coalesce("updated_at", "published_at")))["latest"]
        )


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
    "news": NewsSitemap,
}
