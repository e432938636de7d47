"""The editorial calendar by week and month (the desk's lists are in ``articles/desk.py``)."""

import datetime as dt

from django.contrib import admin
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from ..desk import stories_for_desk
from ..models import Article

CALENDAR_LIMIT = 400  # stories shown in one calendar page; more are counted


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def calendar_view(request):
    """Scheduled and published stories, and deadlines, by day: one week (``?week=`` its
    Monday) or one month (``?month=YYYY-MM``)."""
    today = timezone.localdate()
    month = request.GET.get("month", "")
    try:
        if month:
            first = dt.date.fromisoformat(f"{month}-01")
            start = week_start(first)
            end_month = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            end = week_start(end_month - dt.timedelta(days=1)) + dt.timedelta(days=7)
        else:
            start = week_start(dt.date.fromisoformat(request.GET.get("week") or today.isoformat()))
            end = start + dt.timedelta(days=7)
    except ValueError:
        first, month = None, ""
        start = week_start(today)
        end = start + dt.timedelta(days=7)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end, dt.time.min, tzinfo=zone)
    timed = Q(status=Article.Status.PUBLISHED, published_at__gte=since, published_at__lt=until)
    due = Q(deadline__gte=since, deadline__lt=until) & ~Q(status=Article.Status.PUBLISHED)
    stories = list(
        stories_for_desk()
        .filter(timed | due)
        .order_by("published_at", "deadline")[: CALENDAR_LIMIT + 1]
    )
    days: dict[dt.date, list] = {
        start + dt.timedelta(days=n): [] for n in range((end - start).days)
    }
    now = timezone.now()
    for story in stories[:CALENDAR_LIMIT]:
        if (
            story.status == Article.Status.PUBLISHED
            and story.published_at
            and since <= story.published_at < until
        ):
            moment, kind = (
                story.published_at,
                "scheduled" if story.published_at > now else "published",
            )
        else:
            moment, kind = story.deadline, "due"
        days[timezone.localtime(moment, zone).date()].append(
            {"story": story, "at": moment, "kind": kind}
        )
    for entries in days.values():
        entries.sort(key=lambda entry: entry["at"])
    weeks = [list(days.items())[n : n + 7] for n in range(0, len(days), 7)]
    base = reverse("admin:articles_article_calendar")
    if month:
        prev_first = (first - dt.timedelta(days=1)).replace(day=1)
        nav = {
            "prev": f"{base}?month={prev_first:%Y-%m}",
            "next": f"{base}?month={end_month:%Y-%m}",
            "other": f"{base}?week={week_start(first).isoformat()}",
            "other_label": "Week view",
            "label": first.strftime("%B %Y"),
        }
    else:
        nav = {
            "prev": f"{base}?week={(start - dt.timedelta(days=7)).isoformat()}",
            "next": f"{base}?week={end.isoformat()}",
            "other": f"{base}?month={start:%Y-%m}",
            "other_label": "Month view",
            "label": f"Week of {start.strftime('%-d %B %Y')}",
        }
    context = {
        "title": "Editorial calendar",
        "weeks": weeks,
        "view": "month" if month else "week",
        "today": today,
        "nav": nav,
        "this_week": f"{base}?week={week_start(today).isoformat()}",
        "more": max(0, len(stories) - CALENDAR_LIMIT),
        "opts": Article._meta,
    }
    context.update(admin.site.each_context(request))
    return TemplateResponse(request, "admin/articles/article/calendar.html", context)
