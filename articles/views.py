import functools
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseGone,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from newsroom.client_ip import client_ip
from newsroom.page_cache import public_page, remember

from . import front_page, popular, preview_tokens, search_limits, story_page
from . import live as live_updates
from . import search as site_search
from .models import Article, ArticleAuthor, Author, Section, SlugRedirect, Tag
from .pagination import paginate
from .preview_tokens import private_preview
from .structured_data import breadcrumb_list, home_page, news_article


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    """The front page: the lead story and the stories beside it, in the order editors pinned
    them (``FrontPageSlot``) and then the newest; the latest stories; a block per section."""
    page = front_page.read()
    return render(request, "articles/home.html", {**page, "json_ld": home_page(request)})


def story_queryset():
    """A story with everything its page shows, in a fixed number of queries."""
    return Article.objects.select_related("section", "lead_image").prefetch_related(
        Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author__photo")),
        "tags",
        "notes",
    )


def side_list(name: str, exclude_id: int) -> list[Article]:
    """ "Popular Articles" or "Latest Stories" without the story ``exclude_id``. Both are the
    same on every article page (one story more is kept, for the page's own story to drop
    out), so they are read once and kept until a story in them changes, a story joins them,
    or (Popular) the ranking is due again."""
    size = settings.SIDEBAR_LIST_SIZE
    if name == "popular":
        stories = remember(f"popular:{size + 1}", lambda: popular.popular(None, size + 1))
    else:
        stories = remember(f"latest:{size + 1}", lambda: list(Article.objects.newest()[: size + 1]))
    return [story for story in stories if story.pk != exclude_id][:size]


def render_story(
    request: HttpRequest, story: story_page.StoryPage, *, preview: str = ""
) -> HttpResponse:
    """The article page of ``story``; ``preview`` names the kind of preview banner to show,
    if any. What the cached parts of the page need is handed over as callables, which only
    run when a part is rendered anew."""
    article = story.article
    live = None
    if article.live:
        live = live_updates.page_for(request, article)
    elif request.GET.get("page", "1") != "1":
        raise Http404("This story has one page.")
    json_ld = functools.partial(
        news_article, request, article, story.authors, story.tags, story.notes, live
    )
    context = {
        "story": story,
        "article": article,
        "authors": story.authors,
        "tags": story.tags,
        "notes": story.notes,
        "article_url": request.build_absolute_uri(article.get_absolute_url()),
        "preview": preview,
        "json_ld": json_ld,
        "live": live,
        "live_poll_seconds": settings.LIVE_POLL_SECONDS,
        "breadcrumbs_json_ld": functools.partial(breadcrumb_list, request, article),
        "popular": functools.partial(side_list, "popular", article.pk),
        "latest": functools.partial(side_list, "latest", article.pk),
    }
    return render(request, "articles/article_detail.html", context)


def render_preview(request: HttpRequest, article: Article, preview: str) -> HttpResponse:
    """A story's page as staff or a shared link sees it before (or instead of) readers
    (``article`` read with ``story_queryset``)."""
    return render_story(request, story_page.StoryPage.of(article), preview=preview)


def published_story(slug: str) -> story_page.StoryPage | None:
    """The public story at ``slug`` with everything its page shows, kept while nothing it
    shows changes (the page itself may be stale for another reason: a new story in "Latest
    Stories" renews every article page, and each then only reads this back)."""
    return remember(
        f"story:{slug}", lambda: story_page.read(Article.objects.published(), slug), keep=bool
    )


@require_safe
@public_page(reads=("page",))  # a live story's pages of updates
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = published_story(slug)
    if story is not None:
        return render_story(request, story)
    moved = SlugRedirect.objects.filter(old_slug=slug).select_related("article").first()
    if moved is not None and moved.article.is_public:
        return HttpResponsePermanentRedirect(moved.article.get_absolute_url())
    # A story taken down is gone at its old addresses too, not unknown there.
    unpublished = Article.Status.UNPUBLISHED
    if (moved is not None and moved.article.status == unpublished) or Article.objects.filter(
        slug=slug, status=unpublished
    ).exists():
        html = loader.render_to_string("410.html", request=request)
        return HttpResponseGone(html)
    raise Http404("No published story at this address.")


@require_safe
@never_cache
def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """A signed, expiring preview link that works without a login (for a source, a lawyer,
    a colleague): never indexed, never cached."""
    found = preview_tokens.read(token)
    if found is None:
        raise Http404("This preview link has expired or is not valid.")
    article_id, key = found
    article = get_object_or_404(story_queryset(), pk=article_id)
    if not preview_tokens.opens(article, key):
        raise Http404("This preview link was revoked, or its story was taken down.")
    if article.is_public:
        # Published since: readers' own page, which caches can keep.
        return HttpResponseRedirect(article.get_absolute_url())
    response = render_preview(request, article, "shared")
    return private_preview(response)


def _listing(request, template, owner, stories):
    """A section, author or tag page: one page of its stories, with the page's canonical
    address (page 1 without ``?page=``) and its neighbours' for ``<link rel=prev/next>``."""
    page = paginate(request, stories)
    base = request.build_absolute_uri(request.path)

    def page_url(number: int) -> str:
        return base if number == 1 else f"{base}?page={number}"

    context = {
        "owner": owner,
        "page": page,
        "canonical_url": page_url(page.number),
        "prev_url": page_url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": page_url(page.next_page_number()) if page.has_next() else "",
    }
    return render(request, template, context)


@require_safe
@public_page(reads=("page",))
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    stories = Article.objects.in_section(section)
    return _listing(request, "articles/section_detail.html", section, stories)


@require_safe
@public_page(reads=("page",))
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    stories = Article.objects.by_author(author)
    return _listing(request, "articles/author_detail.html", author, stories)


@require_safe
@public_page(reads=("page",))
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    stories = Article.objects.tagged(tag)
    return _listing(request, "articles/tag_detail.html", tag, stories)


@require_safe
@public_page(reads=("q", "page"))
def search(request: HttpRequest) -> HttpResponse:
    """Published stories matching ``?q=``, most relevant first (full-text search with a
    recency boost on PostgreSQL; every word must appear, newest first, elsewhere), with
    the matched words highlighted in a snippet: see ``articles.search``."""
    query = site_search.clean_query(request.GET.get("q", ""))
    if query and search_limits.over_limit(client_ip(request)):
        _limit, window = search_limits.rate()
        return search_refused(request, query, status=429, retry_after=window)
    try:
        with search_limits.time_limited():
            page = paginate(request, site_search.search(query))
            total_label = site_search.count_label(query)
    except search_limits.SearchTimedOut:
        return search_refused(request, query, status=503, retry_after=10)
    site_search.add_snippets(page.object_list, query)
    # A page of results is a page worth finding (its canonical address keeps ?q=); the empty
    # box, a query with no results and a refused search (search_refused) are kept out of
    # search engines.
    context = {
        "query": query,
        "page": page,
        "total_label": total_label,
        "indexable": bool(query and page.object_list),
    }
    return render(request, "articles/search.html", context)


def search_refused(request: HttpRequest, query: str, *, status: int, retry_after: int):
    """The search page saying why nothing was searched (429: too many searches from this
    address; 503: the search took too long), kept by no cache."""
    context = {"query": query, "refused": status, "retry_after": retry_after}
    response = render(request, "articles/search.html", context, status=status)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The branded 500 page, rendered without touching the database; a 503 page (with
    Retry-After) when what failed is the database not answering (stopped, restarting,
    unreachable), which is an outage to wait out, not a bug."""
    if isinstance(sys.exception(), (OperationalError, InterfaceError)):
        html = loader.render_to_string("503.html", {"site_name": settings.SITE_NAME})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    html = loader.render_to_string("500.html", {"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)
