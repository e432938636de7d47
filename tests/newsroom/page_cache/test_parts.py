"""Parts (``newsroom.page_cache.parts`` and the ``{% part %}`` tag): kept with their tags,
renewed by a bump or by a change to their template, and never kept from unknown objects."""

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template

from newsroom import page_cache
from newsroom.page_cache.parts import template_digest
from tests.newsroom.page_cache import site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cache")]


def test_a_value_is_computed_once_and_kept_until_a_tag_it_recorded_moves():
    calls = []

    def compute():
        calls.append(1)
        page_cache.depends_on("thing:7")
        return ["value"]

    assert page_cache.remember("a value", compute) == ["value"]
    assert page_cache.remember("a value", compute) == ["value"]
    assert len(calls) == 1
    page_cache.invalidate("thing:8")
    page_cache.remember("a value", compute)
    assert len(calls) == 1
    page_cache.invalidate("thing:7")
    page_cache.remember("a value", compute)
    assert len(calls) == 2


def test_a_value_not_worth_keeping_is_computed_every_time():
    calls = []
    for _ in range(2):
        assert page_cache.remember("nothing", lambda: calls.append(1), keep=bool) is None
    assert len(calls) == 2


def test_a_kept_value_brings_its_tags_to_the_page_using_it(client):
    Group.objects.create(name="Proofreaders")
    first = client.get("/with-part/")
    assert "<li>Proofreaders</li>" in first.text
    assert "group:" in first["Surrogate-Key"]
    page_cache.invalidate("thing:1")  # what an unrelated write does
    client.get("/plain/")  # (another page, another render)
    assert site.RENDERS["group_names"] == 1
    Group.objects.create(name="Night desk")  # a new object: no page carries its tag yet
    again = client.get("/with-part/")
    assert again["X-Page-Cache"] in {"hit", "hit-local"}


def test_a_watched_object_edited_renews_the_value_and_the_part(client):
    group = Group.objects.create(name="Proofreaders")
    client.get("/with-part/")
    group.name = "Copy editors"
    group.save()
    response = client.get("/with-part/")
    assert response["X-Page-Cache"] == "miss"
    assert "<li>Copy editors</li>" in response.text
    assert site.RENDERS["group_names"] == 2


def test_a_changed_template_is_rendered_anew_without_a_version_to_bump(client, settings):
    Group.objects.create(name="Proofreaders")
    settings.PAGE_CACHE_SECONDS = 0  # the page itself is rendered every time; its part is kept
    before = template_digest("names.html"), template_digest("with_part.html")
    assert "<li>Proofreaders</li>" in client.get("/with-part/").text
    site.TEMPLATES["name.html"] = "<li class=name>{{ name }}</li>"  # included by the part
    after = template_digest("names.html"), template_digest("with_part.html")
    assert after[0] != before[0]
    assert after[1] != before[1]  # the page's template names the part
    assert "<li class=name>Proofreaders</li>" in client.get("/with-part/").text


def test_a_part_handed_an_object_of_unknown_tags_is_not_kept(settings):
    group = Group.objects.create(name="Proofreaders")
    template = Template('{% load page_cache %}{% part "name.html" group %}')
    site.TEMPLATES["name.html"] = "<b>{{ group.name }}</b>"
    assert template.render(Context({"group": group})) == "<b>Proofreaders</b>"
    Group.objects.filter(pk=group.pk).update(name="Night desk")  # no signal: nothing is bumped
    again = Group.objects.get(pk=group.pk)
    assert template.render(Context({"group": again})) == "<b>Night desk</b>"


def test_a_part_needs_a_template_name():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="needs a template name"):
        Template("{% load page_cache %}{% part %}")
