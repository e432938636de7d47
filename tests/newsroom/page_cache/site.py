"""A site of the tests' own for the page cache, with nothing of the news in it: a few views
that show tags, watched objects (auth's groups), parts and a scheduled change."""

import datetime as dt
from collections import Counter

from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from newsroom.page_cache import (
    changes_within,
    covered_by,
    depends_on,
    on_schedule,
    public_page,
    remember,
    watch,
)

RENDERS: Counter = Counter()
FILLER = "<p>" + "Words to make the page worth compressing. " * 40 + "</p>"

watch(Group, "group")


class Schedule:
    """What the tests schedule: the next change, and the tags its coming due invalidates."""

    next_change: dt.datetime | None = None
    due_tags: tuple[str, ...] = ()
    asked: list = []  # (since, until) of each time changes_due ran

    @classmethod
    def changes_due(cls, since, until):
        cls.asked.append((since, until))
        return cls.due_tags


on_schedule(lambda: Schedule.next_change, Schedule.changes_due)


@public_page
def plain(request):
    RENDERS["plain"] += 1
    depends_on("thing:1")
    return HttpResponse(
        f"<!DOCTYPE html><title>Plain</title><p>render {RENDERS['plain']}</p>{FILLER}"
    )


@public_page
def tiny(request):
    return HttpResponse("tiny")


@public_page(reads=("q", "page"))
def query(request):
    RENDERS["query"] += 1
    return render(request, "query.html", {"q": request.GET.get("q", "")})


@public_page
def groups(request):
    RENDERS["groups"] += 1
    names = ", ".join(group.name for group in Group.objects.order_by("pk"))
    return HttpResponse(f"<p>{names}</p>{FILLER}")


@public_page
def every_group(request):
    with covered_by("groups:all"):
        names = ", ".join(group.name for group in Group.objects.order_by("pk"))
    return HttpResponse(f"<p>{names}</p>")


@public_page
def ranked(request):
    changes_within(30)
    return HttpResponse(f"<p>ranking</p>{FILLER}")


def group_names():
    RENDERS["group_names"] += 1
    return [group.name for group in Group.objects.order_by("pk")]


@public_page
def with_part(request):
    RENDERS["with_part"] += 1
    names = remember("group-names", group_names)
    return render(request, "with_part.html", {"names": names, "plain": "a key"})


@public_page
def missing(request):
    return HttpResponse("gone", status=404)


@public_page
def cookie(request):
    response = HttpResponse("with a cookie")
    response.set_cookie("chosen", "1")
    return response


def not_public(request):
    return HttpResponse("not a public page")


urlpatterns = [
    path("plain/", plain),
    path("tiny/", tiny),
    path("query/", query),
    path("groups/", groups),
    path("every-group/", every_group),
    path("ranked/", ranked),
    path("with-part/", with_part),
    path("missing/", missing),
    path("cookie/", cookie),
    path("not-public/", not_public),
]

TEMPLATES = {
    "base.html": "<!DOCTYPE html><title>{% block title %}{% endblock %}</title>"
    '<link rel="canonical" href="{{ canonical_url }}">{% block content %}{% endblock %}',
    "query.html": '{% extends "base.html" %}{% block content %}<h1>{{ q }}</h1>'
    + FILLER
    + "{% endblock %}",
    "with_part.html": "{% load page_cache %}<main>{% part 'names.html' names plain %}</main>",
    "names.html": "<ul>{% for name in names %}{% include 'name.html' %}{% endfor %}</ul>",
    "name.html": "<li>{{ name }}</li>",
}
