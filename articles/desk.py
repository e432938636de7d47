"""The desk's lists: My stories, Drafts, In review, Scheduled, Recently published and open
staff notes, each with its count. Each list is one query and each count one more, whatever
the number of stories. Shown on the admin's front page (``articles/admin/desk.py`` has the
calendar)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from .models import Article, StaffNote

LIST_SIZE = 8


def stories_for_desk():
    return Article.objects.select_related("owner", "assignee", "last_edited_by", "section").defer(
        "body", "search_vector"
    )


def desk(user, now=None) -> dict:
    now = now or timezone.now()
    published = Article.Status.PUBLISHED
    unfinished = Q(status__in=[Article.Status.DRAFT, Article.Status.REVIEW]) | Q(
        status=published, published_at__gt=now
    )
    mine = (Q(owner=user) | Q(assignee=user)) & unfinished
    week_ago = now - dt.timedelta(days=7)
    lists = {
        "mine": (mine, ["deadline", "-modified_at"]),
        "drafts": (Q(status=Article.Status.DRAFT), ["-modified_at"]),
        "review": (Q(status=Article.Status.REVIEW), ["modified_at"]),
        "scheduled": (Q(status=published, published_at__gt=now), ["published_at"]),
        "recent": (
            Q(status=published, published_at__lte=now, published_at__gte=week_ago),
            ["-published_at"],
        ),
    }
    # One count per list rather than one pass over every story: each is answered from an
    # index (state and time, owner, assignee), so the desk stays quick as the archive grows.
    counts = {
        name: Article.objects.filter(condition).count() for name, (condition, _) in lists.items()
    }
    open_notes = StaffNote.objects.filter(reply_to=None, resolved_at=None)
    context = {
        name: list(stories_for_desk().filter(condition).order_by(*order)[:LIST_SIZE])
        for name, (condition, order) in lists.items()
    }
    context["counts"] = {**counts, "notes": open_notes.count()}
    context["notes"] = list(
        open_notes.select_related("article", "author").order_by("-created_at")[:LIST_SIZE]
    )
    context["now"] = now
    return context
