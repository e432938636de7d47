from django.conf import settings
from django.db.models import Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseGone,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import preview_tokens, reads
from . import search as site_search
from .models import Article, ArticleAuthor, Author, Section, SlugRedirect, Tag
from .page_cache import depends_on, public_page, remember, show_stories
from .pagination import paginate
from .preview_tokens import private_preview
from .structured_data import breadcrumb_list, home_page, news_article


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    stories = Article.objects.published().for_cards()
    # The newest top story leads; with none flagged, the newest story.
    top = stories.order_by("-featured", "-published_at").first()
    latest = list((stories.exclude(pk=top.pk) if top else stories)[: settings.HOME_PAGE_SIZE])
    depends_on("list:latest")
    show_stories([top, *latest])
    return render(
        request,
        "articles/home.html",
        {"top": top, "latest": latest, "json_ld": home_page(request)},
    )


def story_queryset():
    """A story with everything its page shows, in a fixed number of queries."""
    return Article.objects.select_related("section", "lead_image").prefetch_related(
        Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author__photo")),
        "tags",
        "notes",
    )


def sidebar_lists(exclude_id: int | None, size: int) -> tuple[list, list]:
    """ "Popular Articles" and "Latest Stories" without the story ``exclude_id``. Both lists
    are the same on every article page (one story more is kept, for the page's own story to
    drop out), so they are read once and kept in the cache until a story in them changes,
    a story joins them, or (Popular) the ranking is recomputed."""

    def most_read():
        # The most read of the last POPULAR_DAYS days, filled up with the newest top stories
        # (then the newest).
        depends_on("list:popular")
        stories = reads.popular(None, size + 1)
        show_stories(stories)
        return stories

    def newest():
        depends_on("list:latest")
        stories = list(Article.objects.published().for_cards()[: size + 1])
        show_stories(stories)
        return stories

    popular = remember(f"popular:{size + 1}", most_read, settings.POPULAR_CACHE_SECONDS)
    latest = remember(f"latest:{size + 1}", newest, settings.PAGE_CACHE_SECONDS or 600)
    return (
        [story for story in popular if story.pk != exclude_id][:size],
        [story for story in latest if story.pk != exclude_id][:size],
    )


def story_parts(request: HttpRequest, article: Article, *, preview: str = "") -> dict:
    """What the article page shows of the story itself: its head tags (metadata, JSON-LD)
    and the story (headline to author box) as HTML, with the title, summary and address."""
    authors = article.byline
    show_stories([article], bylines=True, tags=True)
    depends_on(*(f"image:{a.photo_id}" for a in authors if a.photo_id))
    context = {
        "article": article,
        "authors": authors,
        "preview": preview,
        "json_ld": news_article(request, article, authors),
        "breadcrumbs_json_ld": breadcrumb_list(request, article),
    }
    return {
        "pk": article.pk,
        "headline": article.headline,
        "summary": article.summary,
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "head": mark_safe(loader.render_to_string("articles/_story_head.html", context, request)),  # noqa: S308 - rendered by the template engine
        "main": mark_safe(loader.render_to_string("articles/_story_main.html", context, request)),  # noqa: S308 - rendered by the template engine
    }


def render_story(
    request: HttpRequest, story: dict, *, article: Article | None = None, preview: str = ""
) -> HttpResponse:
    """The article page around ``story`` (``story_parts``); ``preview`` names the kind of
    preview banner to show (about ``article``), if any."""
    context = {
        "story": story,
        "article": article,
        "aside": story_aside(request, story["pk"]),
        "preview": preview,
    }
    return render(request, "articles/article_detail.html", context)


def story_aside(request: HttpRequest, story_id: int) -> str:
    """The side column of a story's page ("Popular Articles", the newsletter box, "Latest
    Stories") as HTML, kept in the cache per story page until one of its lists changes."""

    def render_aside():
        popular, latest = sidebar_lists(story_id, settings.SIDEBAR_LIST_SIZE)
        # The ranking changes without an edit: kept no longer than it.
        depends_on("list:popular", f"story:{story_id}")
        context = {"popular": popular, "latest": latest}
        html = loader.render_to_string("articles/_story_aside.html", context, request)
        return mark_safe(html)  # noqa: S308 - rendered by the template engine

    name = f"aside:{story_id}:{request.path}"  # the signup box records the page's address
    return remember(name, render_aside, settings.POPULAR_CACHE_SECONDS)


def render_preview(request: HttpRequest, article: Article, preview: str) -> HttpResponse:
    """A story's page as staff or a shared link sees it before (or instead of) readers."""
    story = story_parts(request, article, preview=preview)
    return render_story(request, story, article=article, preview=preview)


def published_story(request: HttpRequest, slug: str) -> dict | None:
    """The public story at ``slug`` as ``story_parts``, from the cache while nothing it shows
    has changed (the page itself may be stale for another reason: a new story in "Latest
    Stories" renews every article page, and each then only reads this back)."""

    def read():
        article = story_queryset().published().filter(slug=slug).first()
        return None if article is None else story_parts(request, article)

    name = f"story:{request.scheme}://{request.get_host()}/{slug}"
    return remember(name, read, settings.PAGE_CACHE_SECONDS or 600, keep=bool)


@require_safe
@public_page
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = published_story(request, slug)
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
    article_id = preview_tokens.article_id(token)
    if article_id is None:
        raise Http404("This preview link has expired or is not valid.")
    article = get_object_or_404(story_queryset(), pk=article_id)
    response = render_preview(request, article, "shared")
    return private_preview(response)


def _listing(request, template, owner, stories, list_tag: str):
    """A section, author or tag page: one page of its stories, with the page's canonical
    address (page 1 without ``?page=``) and its neighbours' for ``<link rel=prev/next>``."""
    page = paginate(request, stories)
    depends_on(list_tag)
    show_stories(page)
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
@public_page
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    stories = Article.objects.published().for_cards().filter(section=section)
    depends_on(f"section:{section.pk}")
    return _listing(
        request, "articles/section_detail.html", section, stories, f"list:section:{section.pk}"
    )


@require_safe
@public_page
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    stories = Article.objects.published().for_cards().filter(authors=author)
    depends_on(f"author:{author.pk}", *([f"image:{author.photo_id}"] if author.photo_id else []))
    return _listing(
        request, "articles/author_detail.html", author, stories, f"list:author:{author.pk}"
    )


@require_safe
@public_page
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    stories = Article.objects.published().for_cards().filter(tags=tag)
    depends_on(f"tag:{tag.pk}")
    return _listing(request, "articles/tag_detail.html", tag, stories, f"list:tag:{tag.pk}")


@require_safe
@public_page
def search(request: HttpRequest) -> HttpResponse:
    """Published stories matching ``?q=``, most relevant first (full-text search with a
    recency boost on PostgreSQL; every word must appear, newest first, elsewhere), with
    the matched words highlighted in a snippet: see ``articles.search``."""
    query = site_search.clean_query(request.GET.get("q", ""))
    page = paginate(request, site_search.search(query))
    site_search.add_snippets(page.object_list, query)
    depends_on("search")
    show_stories(page)
    context = {"query": query, "page": page, "total_label": site_search.count_label(query)}
    return render(request, "articles/search.html", context)


def server_error(request: HttpRequest) -> HttpResponse:
    """The branded 500 page, rendered without touching the database."""
    html = loader.render_to_string("500.html", {"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)
