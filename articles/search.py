"""Site search: ``search(query)`` gives the published stories that match, best first, each
with ``snippet``, safe HTML with the matched words in ``<mark>``.

PostgreSQL (production): full-text search over ``Article.search_vector``, kept by
the receivers below (a story saved, tags changed), and indexed with GIN (migration 0004).
Weights: headline A, sub-headline and tag names B, body (its text, without markup) C. The
query is read with ``websearch_to_tsquery`` (Google-like: ``"exact phrase"``, ``-word``,
``or``), so no input can be a syntax error. The rank is divided by ``1 + age_in_days / 30``:
a story a month old needs twice the relevance of today's to come before it.

Text search configuration: ``english`` (stemming: "marathons" finds "marathon", and stop
words are left out). The default parser treats Hebrew and Arabic letters as letters in a
UTF-8 database, and the English stemmer leaves words in other scripts as they are, so
'ירושלים' and 'القدس' are indexed and matched as whole words under ``english`` too (what
neither configuration does is strip Hebrew prefixes: 'בירושלים' is another word).

SQLite (the local default) has no text search: every word must appear (case-insensitively
for ASCII) in the headline, sub-headline, body or a tag name; newest first; the snippet is
cut in Python around the first match.

``connection.vendor`` is read here only; callers see the same interface on both.
"""

import contextlib
import contextvars
import html
import re

from django.db import connection
from django.db.models import (
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from newsroom import page_cache

from .models import Article, Tag

MAX_QUERY_LENGTH = 200
# Matches ranked and counted, the newest first. At 100,000 stories a word most of them contain
# costs its p50 about 120 ms ranking 200 (bench/search.py, a loaded machine), 320 ms ranking
# 1,000: each ranked row's stored vector is read and decompressed, twice.
MAX_RESULTS = 200
CONFIG = "english"
SNIPPET_WORDS = 35
SNIPPET_CHARS = 240
# Rare characters (Unicode private use) that ts_headline puts around matches; the result is
# escaped as text and only then are they turned into <mark> tags.
START, STOP = "\ue000", "\ue001"
_SENTINELS = re.compile(f"[{START}{STOP}]")
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")


def clean_query(raw: str) -> str:
    """The query as searched and shown: NUL and other control characters out, whitespace
    collapsed, at most ``MAX_QUERY_LENGTH`` characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in raw or "")
    text = _SENTINELS.sub(" ", text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def _words(query: str) -> list[str]:
    """The words of a query for the plain match: runs of letters and digits."""
    return list(dict.fromkeys(w.lower() for w in re.findall(r"\w+", query)))[:10]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def search(query: str):
    """Published stories matching ``query`` (already ``clean_query``-ed), best first, as a
    queryset for a paginator. Call ``add_snippets(page_objects, query)`` on the page shown."""
    page_cache.depends_on("search")  # renewed whenever a public story changes
    query = clean_query(query)
    words = _words(query)
    if not words:
        return Article.objects.none()
    stories = Article.objects.published().select_related("section", "lead_image")
    if is_postgresql():
        return _postgresql_search(stories, query)
    return _plain_search(stories, words)


# PostgreSQL ---------------------------------------------------------------------------


def _body_text(expression="body"):
    """The body without its markup, in SQL (tags become spaces)."""
    return Func(
        F(expression),
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def search_vector():
    """The expression stored in ``Article.search_vector``: built in SQL from the row and
    its tags, for an ``UPDATE`` of one story or of all of them."""
    from django.contrib.postgres.search import SearchVector

    through = Article.tags.through
    tag_names = Subquery(
        through.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(names=StringAgg("tag__name", Value(" ")))
        .values("names")
    )
    return (
        SearchVector("headline", weight="A", config=CONFIG)
        + SearchVector("dek", weight="B", config=CONFIG)
        + SearchVector(
            Coalesce(tag_names, Value(""), output_field=TextField()), weight="B", config=CONFIG
        )
        + SearchVector(_body_text(), weight="C", config=CONFIG)
    )


# Inside a bulk write (an import) that updates each story's vector itself, once, when the story
# and its tags are all written: saving the story and then its tags would update it twice.
_by_caller: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "search_vectors_by_caller", default=False
)


@contextlib.contextmanager
def vectors_updated_by_caller():
    """Saves of stories and their tags inside leave the vectors alone: the caller runs
    ``update_search_vectors`` for each story in the story's own transaction."""
    token = _by_caller.set(True)
    try:
        yield
    finally:
        _by_caller.reset(token)


def update_search_vectors(queryset) -> None:
    """Recompute the stored vector of the stories in ``queryset`` (PostgreSQL only)."""
    if is_postgresql():
        queryset.update(search_vector=search_vector())


def count_label(query: str) -> str:
    """ "12 results", or "More than 1,000 results": counting stops at ``MAX_RESULTS`` so a
    common word does not count the whole archive on every search."""
    query = clean_query(query)
    words = _words(query)
    if not words:
        return "0 results"
    stories = Article.objects.published()
    if is_postgresql():
        from django.contrib.postgres.search import SearchQuery

        matches = stories.filter(
            search_vector=SearchQuery(query, search_type="websearch", config=CONFIG)
        )
    else:
        matches = _plain_search(stories, words)
    total = matches.order_by().values("pk")[: MAX_RESULTS + 1].count()
    if total > MAX_RESULTS:
        return f"More than {MAX_RESULTS:,} results"
    return f"{total} result{'' if total == 1 else 's'}"


def _postgresql_search(stories, query: str):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    ts_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    # Ranked among the newest MAX_RESULTS matches only: a word in most stories would
    # otherwise rank the whole archive on every search (the planner walks the date index
    # for common words and the GIN index for rare ones).
    newest = (
        stories.filter(search_vector=ts_query)
        .order_by("-published_at", "-pk")
        .values("pk")[:MAX_RESULTS]
    )
    stories = stories.filter(pk__in=Subquery(newest))
    age_days = Func(
        F("published_at"),
        template="GREATEST(EXTRACT(EPOCH FROM (NOW() - %(expressions)s)), 0) / 86400.0",
        output_field=FloatField(),
    )
    return (
        stories.defer("body", "search_vector")
        .annotate(
            relevance=SearchRank(F("search_vector"), ts_query) / (1.0 + age_days / 30.0),
            headline_html=SearchHeadline(
                _body_text(),
                ts_query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=SNIPPET_WORDS,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-relevance", "-published_at", "-pk")
    )


def _mark_sentinels(text: str) -> str:
    """ts_headline's output as safe HTML: entities left from the body decoded, everything
    escaped, then each sentinel pair turned into <mark> (stray sentinels dropped)."""
    escaped = html.escape(html.unescape(text), quote=False)
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(_SENTINELS.sub("", marked))  # noqa: S308 - escaped above


# SQLite and others ---------------------------------------------------------------------


def _plain_search(stories, words: list[str]):
    through = Article.tags.through
    for word in words:
        in_tags = Exists(through.objects.filter(article=OuterRef("pk"), tag__name__icontains=word))
        stories = stories.filter(
            Q(headline__icontains=word)
            | Q(dek__icontains=word)
            | Q(body__icontains=word)
            | Q(in_tags)
        )
    return stories.defer("search_vector").order_by("-published_at", "-pk")


def highlight(text: str, words: list[str]) -> str:
    """``text`` escaped, with each occurrence of ``words`` in <mark>."""
    if not words:
        return html.escape(text, quote=False)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(html.escape(text[last : match.start()], quote=False))
        parts.append(f"<mark>{html.escape(match.group(), quote=False)}</mark>")
        last = match.end()
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)


def _plain_snippet(body: str, words: list[str]) -> str:
    text = " ".join(html.unescape(strip_tags(body)).split())
    lowered = text.lower()
    hits = [i for i in (lowered.find(w) for w in words) if i >= 0]
    start = 0
    if hits:
        start = max(0, min(hits) - SNIPPET_CHARS // 3)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + SNIPPET_CHARS)
    while end < len(text) and not text[end].isspace():
        end += 1
    piece = text[start:end]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + highlight(piece, words) + suffix)  # noqa: S308 - escaped


def add_snippets(stories, query: str) -> None:
    """Set ``snippet`` (safe HTML) on each story of a page, without further queries."""
    words = _words(clean_query(query))
    for story in stories:
        if hasattr(story, "headline_html"):
            story.snippet = _mark_sentinels(story.headline_html or "")
        else:
            story.snippet = _plain_snippet(story.body, words)


# Keeping the stored vector up to date ---------------------------------------------------


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    """A story saved (inside its save's transaction): its vector follows its text."""
    if not raw and not _by_caller.get():
        update_search_vectors(Article.objects.filter(pk=instance.pk))


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="search_tags_changed")
def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags added to or taken from a story (or stories to or from a tag): the stories'
    vectors include the tag names."""
    if not is_postgresql():
        return
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear") and not _by_caller.get():
            update_search_vectors(Article.objects.filter(pk=instance.pk))
        return
    if action == "pre_clear":
        instance._search_cleared = list(instance.articles.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        update_search_vectors(Article.objects.filter(pk__in=pk_set))
    elif action == "post_clear":
        pks = getattr(instance, "_search_cleared", [])
        update_search_vectors(Article.objects.filter(pk__in=pks))


@receiver(post_save, sender=Tag, dispatch_uid="search_tag_saved")
def tag_saved(sender, instance, created, raw=False, **kwargs):
    """A renamed tag: its stories are found by the new name (and not the old)."""
    if created or raw or not is_postgresql():
        return
    update_search_vectors(Article.objects.filter(tags=instance))


@receiver(pre_delete, sender=Tag, dispatch_uid="search_tag_deleting")
def tag_deleting(sender, instance, **kwargs):
    if is_postgresql():
        instance._search_cleared = list(instance.articles.values_list("pk", flat=True))


@receiver(post_delete, sender=Tag, dispatch_uid="search_tag_deleted")
def tag_deleted(sender, instance, **kwargs):
    pks = getattr(instance, "_search_cleared", None)
    if pks:
        update_search_vectors(Article.objects.filter(pk__in=pks))
