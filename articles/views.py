from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
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
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import preview_tokens, reads
from . import search as site_search
from .models import Article, ArticleAuthor, Author, Section, SlugRedirect, Tag
from .preview_tokens import private_preview
from .structured_data import breadcrumb_list, home_page, news_article


def paginate(request: HttpRequest, queryset, per_page: int | None = None):
    """One page of ``queryset``; a page number that does not exist is a 404."""
    paginator = Paginator(queryset, per_page or settings.LIST_PAGE_SIZE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404(f"No such page: {exc}") from exc


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    stories = Article.objects.published().for_cards()
    # The newest top story leads; with none flagged, the newest story.
    top = stories.order_by("-featured", "-published_at").first()
    latest = stories.exclude(pk=top.pk) if top else stories
    return render(
        request,
        "articles/home.html",
        {
            "top": top,
            "latest": latest[: settings.HOME_PAGE_SIZE],
            "json_ld": home_page(request),
        },
    )


def story_queryset():
    """A story with everything its page shows, in a fixed number of queries."""
    return Article.objects.select_related("section", "lead_image").prefetch_related(
        Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author__photo")),
        "tags",
        "notes",
    )


def render_story(request: HttpRequest, article: Article, *, preview: str = "") -> HttpResponse:
    """The article page; ``preview`` names the kind of preview banner to show, if any."""
    others = Article.objects.published().for_cards().exclude(pk=article.pk)
    size = settings.SIDEBAR_LIST_SIZE
    authors = article.byline
    context = {
        "article": article,
        "authors": authors,
        # The most read of the last POPULAR_DAYS days, filled up with the newest top stories
        # (then the newest): ranked at most every few minutes, one query per page.
        "popular": reads.popular(article.pk, size),
        "latest": others[:size],
        "preview": preview,
        "json_ld": news_article(request, article, authors),
        "breadcrumbs_json_ld": breadcrumb_list(request, article),
    }
    return render(request, "articles/article_detail.html", context)


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = story_queryset().published().filter(slug=slug).first()
    if article is not None:
        return render_story(request, article)
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
    response = render_story(request, article, preview="shared")
    return private_preview(response)


def _listing(request, template, owner, stories):
    """A section, author or tag page: one page of its stories, with the page's canonical
    address (page 1 without ``?page=``) and its neighbours' for ``<link rel=prev/next>``.
    The paginator's one COUNT serves the 404 for a page past the end and "Page N of M"."""
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
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    stories = Article.objects.published().for_cards().filter(section=section)
    return _listing(request, "articles/section_detail.html", section, stories)


@require_safe
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    stories = Article.objects.published().for_cards().filter(authors=author)
    return _listing(request, "articles/author_detail.html", author, stories)


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    stories = Article.objects.published().for_cards().filter(tags=tag)
    return _listing(request, "articles/tag_detail.html", tag, stories)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Published stories matching ``?q=``, most relevant first (full-text search with a
    recency boost on PostgreSQL; every word must appear, newest first, elsewhere), with
    the matched words highlighted in a snippet: see ``articles.search``."""
    query = site_search.clean_query(request.GET.get("q", ""))
    page = paginate(request, site_search.search(query))
    page.object_list = list(page.object_list)
    site_search.add_snippets(page.object_list, query)
    return render(request, "articles/search.html", {"query": query, "page": page})


def server_error(request: HttpRequest) -> HttpResponse:
    """The branded 500 page, rendered without touching the database."""
    html = loader.render_to_string("500.html", {"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)
