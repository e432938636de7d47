"""What an edit makes stale: the page-cache tags (see ``articles.page_cache``) bumped when a
story, section, author, tag or image changes, and the CDN purges that go with them.

A story edit bumps ``story:<id>``: every cached page that shows the story (its own page, the
cards and lists that include it) carries that tag. When the story joins, leaves or moves
within lists (published, unpublished, scheduled time reached, section, published time or
"top story" flag changed, an author or tag added or removed) the lists it belongs to are
bumped too: ``list:latest`` (home, site feeds, the "Latest Stories" of article pages),
``list:section:<id>``, ``list:author:<id>``, ``list:tag:<id>``. Any change to a public story
bumps ``list:all`` (sitemaps) and ``search`` (search results). A section, author, tag or image
edit bumps its own tag; sections also bump ``nav`` (the navigation on every page).

Tags are bumped at once and again when the transaction commits (see ``invalidate``).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone

from . import page_cache
from .models import Article, ArticleAuthor, Author, Image, Note, Section, Tag

logger = logging.getLogger(__name__)

_pending: dict[int, set[str]] = {}


def invalidate(*tags: str) -> None:
    """Bump ``tags`` at once and again when the current transaction commits.

    At once, so that code inside an outer transaction (a shell session's atomic block, a data
    migration, a test) sees its own edits; at commit, because a page rendered meanwhile from
    the rows as they were before the commit must not stay fresh. CDN purges go at commit only.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _flush(set(tags))
        return
    page_cache.bump(tags)
    # One more bump (and one purge) per commit for everything the transaction touched.
    _pending.setdefault(id(connection), set()).update(tags)
    transaction.on_commit(lambda: _flush(_pending.pop(id(connection), set())))


def _flush(tags: set[str]) -> None:
    if not tags:
        return
    page_cache.bump(tags)
    if settings.CDN_PURGE_URL:
        paths = sorted(purge_paths(tags))
        purge_cdn.enqueue(sorted(tags), paths)


def story_lists(article: Article) -> set[str]:
    """The list tags of the lists ``article`` belongs to (its current section, authors, tags)."""
    found = {"list:latest"}
    if article.section_id:
        found.add(f"list:section:{article.section_id}")
    if article.pk:
        found.update(f"list:author:{pk}" for pk in article.bylines.values_list("author", flat=True))
        found.update(f"list:tag:{pk}" for pk in article.tags.values_list("pk", flat=True))
    return found


def _was_public(loaded: dict, now: dt.datetime) -> bool:
    published_at = loaded.get("published_at")
    return loaded.get("status") == Article.Status.PUBLISHED and bool(
        published_at and published_at <= now
    )


@receiver(post_save, sender=Article, dispatch_uid="page_cache_article_saved")
def article_saved(sender, instance: Article, created, raw=False, **kwargs):
    if raw:
        return
    # post_save runs inside Article.save(), before it replaces ``_loaded``: the row as it was.
    loaded = getattr(instance, "_loaded", {})
    now = timezone.now()
    is_public, was_public = instance.is_public, _was_public(loaded, now)
    tags = {f"story:{instance.pk}"}
    if is_public or was_public:
        tags |= {"list:all", "search"}
    moved = any(
        loaded.get(name) != getattr(instance, name)
        for name in ("section_id", "published_at", "featured")
    )
    if is_public != was_public or (is_public and moved):
        tags |= story_lists(instance)
        if loaded.get("section_id"):
            tags.add(f"list:section:{loaded['section_id']}")
    # Every flush also forgets the next publication time: a story scheduled or rescheduled
    # is seen by the next request.
    invalidate(*tags)


@receiver(post_delete, sender=Article, dispatch_uid="page_cache_article_deleted")
def article_deleted(sender, instance: Article, **kwargs):
    invalidate(f"story:{instance.pk}", "list:all", "search", "list:latest")


@receiver(post_save, sender=ArticleAuthor, dispatch_uid="page_cache_byline_saved")
@receiver(post_delete, sender=ArticleAuthor, dispatch_uid="page_cache_byline_deleted")
def byline_changed(sender, instance: ArticleAuthor, raw=False, **kwargs):
    if raw:
        return
    article = Article.objects.filter(pk=instance.article_id).first()
    tags = {f"story:{instance.article_id}", f"author:{instance.author_id}"}
    if article is not None and article.is_public:
        tags |= {f"list:author:{instance.author_id}", "list:all"}
    invalidate(*tags)


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="page_cache_tags_changed")
def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # a tag's stories changed (rare: from the shell)
        invalidate(f"tag:{instance.pk}", f"list:tag:{instance.pk}", "search")
        invalidate(*(f"story:{pk}" for pk in pk_set or ()))
        return
    tag_ids = set(pk_set or ())
    if action == "pre_clear":
        tag_ids = set(instance.tags.values_list("pk", flat=True))
    tags = {f"story:{instance.pk}"}
    if instance.is_public:
        tags |= {f"list:tag:{pk}" for pk in tag_ids} | {"search"}
    invalidate(*tags)


@receiver(post_save, sender=Note, dispatch_uid="page_cache_note_saved")
@receiver(post_delete, sender=Note, dispatch_uid="page_cache_note_deleted")
def note_changed(sender, instance: Note, raw=False, **kwargs):
    if not raw:
        invalidate(f"story:{instance.article_id}")


@receiver(post_save, sender=Section, dispatch_uid="page_cache_section_saved")
@receiver(post_delete, sender=Section, dispatch_uid="page_cache_section_deleted")
def section_changed(sender, instance: Section, raw=False, **kwargs):
    if not raw:
        invalidate(f"section:{instance.pk}", f"list:section:{instance.pk}", "nav", "list:all")


@receiver(post_save, sender=Author, dispatch_uid="page_cache_author_saved")
@receiver(post_delete, sender=Author, dispatch_uid="page_cache_author_deleted")
def author_changed(sender, instance: Author, raw=False, **kwargs):
    if not raw:
        invalidate(f"author:{instance.pk}", f"list:author:{instance.pk}", "list:all")


@receiver(post_save, sender=Tag, dispatch_uid="page_cache_tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="page_cache_tag_deleted")
def tag_changed(sender, instance: Tag, raw=False, **kwargs):
    if not raw:
        invalidate(f"tag:{instance.pk}", f"list:tag:{instance.pk}", "search")


@receiver(post_save, sender=Image, dispatch_uid="page_cache_image_saved")
@receiver(post_delete, sender=Image, dispatch_uid="page_cache_image_deleted")
def image_changed(sender, instance: Image, raw=False, created=False, **kwargs):
    if not raw and not created:
        invalidate(f"image:{instance.pk}")


def stories_went_live(since: float) -> None:
    """Scheduled stories whose time came (from ``since``, epoch seconds, until now) join
    their lists: the same bumps as publishing them by hand."""
    start = dt.datetime.fromtimestamp(since, tz=dt.UTC)
    stories = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gte=start, published_at__lte=timezone.now()
    ).prefetch_related("bylines", "tags")
    tags = {"list:all", "search"}
    for story in stories:
        tags.add(f"story:{story.pk}")
        tags |= story_lists(story)
    invalidate(*tags)


# CDN purges -------------------------------------------------------------------------------


def purge_paths(tags) -> set[str]:
    """The addresses of the pages a CDN can be told about by URL, for ``tags``: a story's
    page, the first page of its lists and their feeds, the home page, feeds and sitemaps.
    (Other pages carrying a tag, such as the "Latest Stories" on every article, expire after
    ``PAGE_CDN_SECONDS``; a CDN purging by ``Surrogate-Key`` gets them all at once.)"""
    from django.urls import reverse

    paths: set[str] = set()
    by_kind: dict[str, set[int]] = {}
    for tag in tags:
        kind, _, pk = tag.rpartition(":")
        if pk.isdigit():
            by_kind.setdefault(kind, set()).add(int(pk))
        elif tag == "list:latest":
            paths |= {reverse("articles:home"), reverse("articles:feed")}
            paths.add(reverse("articles:feed-atom"))
        elif tag == "list:all":
            paths.add(reverse("sitemap"))
            paths |= {
                reverse("sitemap-section", kwargs={"section": name})
                for name in ("articles", "news", "sections", "authors")
            }
    for slug in Article.objects.filter(pk__in=by_kind.get("story", ())).values_list(
        "slug", flat=True
    ):
        paths.add(reverse("articles:article", kwargs={"slug": slug}))
    section_ids = by_kind.get("section", set()) | by_kind.get("list:section", set())
    for slug in Section.objects.filter(pk__in=section_ids).values_list("slug", flat=True):
        paths |= {
            reverse(f"articles:{name}", kwargs={"slug": slug})
            for name in ("section", "section-feed", "section-feed-atom")
        }
    author_ids = by_kind.get("author", set()) | by_kind.get("list:author", set())
    for slug in Author.objects.filter(pk__in=author_ids).values_list("slug", flat=True):
        paths |= {
            reverse(f"articles:{name}", kwargs={"slug": slug})
            for name in ("author", "author-feed", "author-feed-atom")
        }
    tag_ids = by_kind.get("tag", set()) | by_kind.get("list:tag", set())
    for slug in Tag.objects.filter(pk__in=tag_ids).values_list("slug", flat=True):
        paths.add(reverse("articles:tag", kwargs={"slug": slug}))
    return paths


@task()
def purge_cdn(tags: list[str], paths: list[str]) -> int:
    """Ask the CDN to drop pages: one request per tag when ``CDN_PURGE_URL`` has ``{tag}``
    (purge by surrogate key), else one per path (``{path}``, or ``{url}`` for the full
    address). Returns how many purges the CDN accepted; failures are logged, not raised (the
    pages still expire after ``PAGE_CDN_SECONDS``)."""
    import urllib.error
    import urllib.parse
    import urllib.request

    template = settings.CDN_PURGE_URL
    if "{tag}" in template:
        targets = [template.format(tag=urllib.parse.quote(tag, safe="")) for tag in tags]
    else:
        targets = [template.format(path=p, url=settings.SITE_URL + p) for p in paths]
    accepted = 0
    for target in targets:
        request = urllib.request.Request(target, method=settings.CDN_PURGE_METHOD)  # noqa: S310
        if settings.CDN_PURGE_TOKEN:
            request.add_header("Authorization", f"Bearer {settings.CDN_PURGE_TOKEN}")
        try:
            with urllib.request.urlopen(request, timeout=settings.CDN_PURGE_TIMEOUT):  # noqa: S310
                accepted += 1
        except (urllib.error.URLError, OSError) as exc:
            logger.warning("CDN purge of %s failed: %s", target, exc)
    return accepted
