"""The public corrections record: every correction and update note of a public story, newest
first, at ``/corrections/`` and in its RSS and Atom feeds. The notes are those shown at the
foot of each story (``Note``); a story taken down takes its notes off the record with it."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from newsroom.page_cache import depends_on, public_page

from .models import Article, Note
from .pagination import paginate


def public_notes() -> QuerySet[Note]:
    """The notes of public stories, newest first, each with its story (one query)."""
    depends_on("list:corrections")
    return (
        Note.objects.filter(article__in=Article.objects.published())
        .select_related("article")
        .only("kind", "text", "created_at", "article__headline", "article__slug")
        .order_by("-created_at", "-pk")
    )


@require_safe
@public_page(reads=("page",))
def corrections(request: HttpRequest) -> HttpResponse:
    page = paginate(request, public_notes())
    base = request.build_absolute_uri(request.path)
    context = {
        "page": page,
        "canonical_url": base if page.number == 1 else f"{base}?page={page.number}",
    }
    return render(request, "articles/corrections.html", context)
