"""What a write to the news makes stale, for the page cache (``newsroom.page_cache``).

The page cache already records each story, section, author, tag and image a page shows (they
are watched: ``connect()``), and invalidates an object's own tag when it is saved or deleted.
What it cannot know is which *lists* a write changes; the receivers here say so:

- a story that joins, leaves or moves within its lists (published, unpublished, its scheduled
  time reached, another section, another published time, the "top story" flag, a byline or tag
  added or removed) bumps the lists it belongs to and belonged to: ``list:latest`` (home, site
  feeds, "Latest Stories"), ``list:section:<id>``, ``list:author:<id>``, ``list:tag:<id>``;
- any change to a public story bumps ``list:all`` (the sitemaps, which show every story) and
  ``search`` (results);
- a new byline, tag or correction note bumps its story; a section change bumps ``nav``;
- a note, or a story with notes going public or not, bumps ``list:corrections`` (the public
  corrections record); any banner saved or deleted bumps ``banner`` (every public page);
  a live update saved or deleted bumps ``live:<story>`` (its pages, poll answer and feed).
- a story pinned to, moved on or taken off the front page bumps ``list:frontpage`` (home).

Those list tags are recorded where the lists are read (``ArticleQuerySet.newest()`` and its
siblings, ``search.search()``, ``popular.popular()``, the sitemaps), so a correction to a
two-year-old story renews its own page, the sitemaps and search, and leaves the home page
cached. Scheduled stories are a source of scheduled changes (``next_story``,
``stories_went_live``), and ``purge_paths`` names the pages a CDN can purge by address.
"""

import datetime as dt

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from newsroom import page_cache

from .models import (
    Article,
    ArticleAuthor,
    Author,
    Banner,
    FrontPageSlot,
    Image,
    LiveUpdate,
    Note,
    Section,
    Tag,
)


def connect() -> None:
    """Tell the page cache about the news (from ``ArticlesConfig.ready``)."""
    page_cache.watch(Article, "story")
    page_cache.watch(Section, "section")
    page_cache.watch(Author, "author")
    page_cache.watch(Tag, "tag")
    page_cache.watch(Image, "image")
    page_cache.on_schedule(next_story, stories_went_live)
    page_cache.on_purge(purge_paths)


def story_lists(article: Article) -> set[str]:
    """The list tags of the lists ``article`` belongs to (its current section, authors, tags)."""
    found = {"list:latest"}
    if article.section_id:
        found.add(f"list:section:{article.section_id}")
    if article.pk:
        found.update(f"list:author:{pk}" for pk in article.bylines.values_list("author", flat=True))
        found.update(f"list:tag:{pk}" for pk in article.tags.values_list("pk", flat=True))
    return found


def _was_public(stored: dict, now: dt.datetime) -> bool:
    published_at = stored.get("published_at")
    return stored.get("status") == Article.Status.PUBLISHED and bool(
        published_at and published_at <= now
    )


@receiver(post_save, sender=Article, dispatch_uid="page_cache_article_saved")
def article_saved(sender, instance: Article, created, raw=False, **kwargs):
    if raw or page_cache.is_suspended():  # a bulk write: everything goes stale at its end
        return
    # post_save runs inside Article.save(), before ``stored`` is brought up to date.
    stored = instance.stored
    is_public, was_public = instance.is_public, _was_public(stored, timezone.now())
    tags = set()
    if is_public or was_public:
        tags |= {"list:all", "search"}
    moved = any(
        stored.get(name) != getattr(instance, name)
        for name in ("section_id", "published_at", "featured")
    )
    if is_public != was_public:  # its notes join or leave the corrections record
        tags.add("list:corrections")
    if is_public != was_public or (is_public and moved):
        tags |= story_lists(instance)
        if stored.get("section_id"):
            tags.add(f"list:section:{stored['section_id']}")
    page_cache.invalidate(*tags)


@receiver(post_delete, sender=Article, dispatch_uid="page_cache_article_deleted")
def article_deleted(sender, instance: Article, **kwargs):
    page_cache.invalidate("list:all", "search", "list:latest", "list:corrections")


@receiver(post_save, sender=FrontPageSlot, dispatch_uid="page_cache_front_page_saved")
@receiver(post_delete, sender=FrontPageSlot, dispatch_uid="page_cache_front_page_deleted")
def front_page_changed(sender, instance: FrontPageSlot, raw=False, **kwargs):
    if not raw:
        page_cache.invalidate("list:frontpage")


@receiver(post_save, sender=ArticleAuthor, dispatch_uid="page_cache_byline_saved")
@receiver(post_delete, sender=ArticleAuthor, dispatch_uid="page_cache_byline_deleted")
def byline_changed(sender, instance: ArticleAuthor, raw=False, **kwargs):
    if raw or page_cache.is_suspended():
        return
    article = Article.objects.filter(pk=instance.article_id).first()
    tags = {f"story:{instance.article_id}", f"author:{instance.author_id}"}
    if article is not None and article.is_public:
        tags |= {f"list:author:{instance.author_id}", "list:all"}
    page_cache.invalidate(*tags)


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="page_cache_tags_changed")
def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear") or page_cache.is_suspended():
        return
    if reverse:  # a tag's stories changed (rare: from the shell)
        page_cache.invalidate(f"tag:{instance.pk}", f"list:tag:{instance.pk}", "search")
        page_cache.invalidate(*(f"story:{pk}" for pk in pk_set or ()))
        return
    tag_ids = set(pk_set or ())
    if action == "pre_clear":
        tag_ids = set(instance.tags.values_list("pk", flat=True))
    tags = {f"story:{instance.pk}"}
    if instance.is_public:
        tags |= {f"list:tag:{pk}" for pk in tag_ids} | {"search"}
    page_cache.invalidate(*tags)


@receiver(post_save, sender=Note, dispatch_uid="page_cache_note_saved")
@receiver(post_delete, sender=Note, dispatch_uid="page_cache_note_deleted")
def note_changed(sender, instance: Note, raw=False, **kwargs):
    if not raw:
        page_cache.invalidate(f"story:{instance.article_id}", "list:corrections")


@receiver(post_save, sender=LiveUpdate, dispatch_uid="page_cache_live_update_saved")
@receiver(post_delete, sender=LiveUpdate, dispatch_uid="page_cache_live_update_deleted")
def live_update_changed(sender, instance: LiveUpdate, raw=False, **kwargs):
    if not raw:  # the live story's pages of updates, its poll answer and its feed
        page_cache.invalidate(f"live:{instance.article_id}")


@receiver(post_save, sender=Banner, dispatch_uid="page_cache_banner_saved")
@receiver(post_delete, sender=Banner, dispatch_uid="page_cache_banner_deleted")
def banner_changed(sender, instance: Banner, raw=False, **kwargs):
    if not raw:  # every public page shows the banner (articles.banners)
        page_cache.invalidate("banner")


@receiver(post_save, sender=Section, dispatch_uid="page_cache_section_saved")
@receiver(post_delete, sender=Section, dispatch_uid="page_cache_section_deleted")
def section_changed(sender, instance: Section, raw=False, **kwargs):
    if not raw:  # the navigation on every page, and the sections' sitemap
        page_cache.invalidate("nav", "list:all")


@receiver(post_save, sender=Author, dispatch_uid="page_cache_author_saved")
@receiver(post_delete, sender=Author, dispatch_uid="page_cache_author_deleted")
@receiver(post_save, sender=Image, dispatch_uid="page_cache_image_saved")
@receiver(post_delete, sender=Image, dispatch_uid="page_cache_image_deleted")
def listed_in_sitemaps(sender, instance, raw=False, **kwargs):
    if not raw:  # the authors' sitemap; the stories' sitemap shows the lead images
        page_cache.invalidate("list:all")


@receiver(post_save, sender=Tag, dispatch_uid="page_cache_tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="page_cache_tag_deleted")
def tag_changed(sender, instance: Tag, raw=False, **kwargs):
    if not raw:  # search finds stories by their tags' names
        page_cache.invalidate("search")


# Scheduled stories ------------------------------------------------------------------------


def next_story() -> dt.datetime | None:
    """When the next scheduled story goes live."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def stories_went_live(since: dt.datetime, until: dt.datetime) -> set[str]:
    """Scheduled stories whose time came (from ``since`` until ``until``) join their lists:
    the same tags as publishing them by hand."""
    stories = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gte=since, published_at__lte=until
    ).prefetch_related("bylines", "tags")
    tags = {"list:all", "search"}
    for story in stories:
        tags.add(f"story:{story.pk}")
        tags |= story_lists(story)
    return tags


# CDN purges by address --------------------------------------------------------------------


def purge_paths(tags) -> set[str]:
    """The addresses of the pages a CDN can be told about by URL, for ``tags``: a story's
    page, the first page of its lists and their feeds, the home page, feeds and sitemaps.
    (Other pages carrying a tag, such as the "Latest Stories" on every article, expire after
    ``PAGE_CDN_SECONDS``; a CDN purging by ``Surrogate-Key`` gets them all at once.)"""
    paths: set[str] = set()
    by_kind: dict[str, set[int]] = {}
    for tag in tags:
        kind, _, pk = tag.rpartition(":")
        if pk.isdigit():
            by_kind.setdefault(kind, set()).add(int(pk))
        elif tag == "list:frontpage":
            paths.add(reverse("articles:home"))
        elif tag == "list:latest":
            paths |= {reverse("articles:home"), reverse("articles:feed")}
            paths.add(reverse("articles:feed-atom"))
        elif tag == "list:corrections":
            paths |= {
                reverse(f"articles:{name}")
                for name in ("corrections", "corrections-feed", "corrections-feed-atom")
            }
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
    for slug in Article.objects.filter(pk__in=by_kind.get("live", ())).values_list(
        "slug", flat=True
    ):
        paths |= {
            reverse(f"articles:{name}", kwargs={"slug": slug})
            for name in ("article", "live-poll", "live-feed")
        }
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
