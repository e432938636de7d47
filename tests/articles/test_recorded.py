"""Every public page records what it shows: for each public URL of the site (found in the
URLconf, so a new public page is covered as soon as it exists), every story, section, author,
tag and image the page shows is saved in turn, and the page must then be rendered anew.

Nothing here relies on how the page cache records things: a page "shows" an object when the
object's address (or its picture's file) is in the page, and it "recorded" it when a save of
the object makes the next answer a fresh render."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from articles.models import Article, Author, Image, Section, Tag
from articles.sitemaps import SITEMAPS
from tests.factories import make_article, make_author, make_image, make_section, make_tag

pytestmark = pytest.mark.django_db


def public_routes(resolver=None, namespace=""):
    """(name, pattern) of every route whose view is a public page."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_routes(entry, inner)
        elif isinstance(entry, URLPattern) and getattr(entry.callback, "page_cache", None):
            yield f"{namespace}{entry.name}"


def site():
    economy, travel = make_section(name="Economy"), make_section(name="Travel")
    photo = make_image(alt_text="Dana at the harbour")
    dana = make_author(name="Dana Levi", photo=photo, bio="Covers ports.")
    omer = make_author(name="Omer Katz")
    shipping, storms = make_tag(name="Shipping"), make_tag(name="Storms")
    story = make_article(
        headline="Harbour reopens after storm",
        body="<p>The harbour reopened on Monday.</p>",
        section=economy,
        lead_image=make_image(),
        authors=[dana, omer],
        tags=[shipping, storms],
        featured=True,
        live=True,  # its updates' pages, poll answer and feed are public pages too
    )
    story.notes.create(text="An earlier version gave the wrong day.")
    make_article(
        headline="Harbour ferry to Cyprus", section=travel, lead_image=make_image(), authors=[omer]
    )
    make_article(headline="Harbour hotel prices rise", section=economy, tags=[shipping])
    return story


def urls_of(name: str, story: Article) -> list[str]:
    from django.urls import reverse

    slugs = {
        "articles:article": story.slug,
        "articles:section": story.section.slug,
        "articles:section-feed": story.section.slug,
        "articles:section-feed-atom": story.section.slug,
        "articles:author": story.byline[0].slug,
        "articles:author-feed": story.byline[0].slug,
        "articles:author-feed-atom": story.byline[0].slug,
        "articles:tag": story.tags.first().slug,
        "articles:live-poll": story.slug,
        "articles:live-feed": story.slug,
    }
    if name == "sitemap-section":
        return [reverse(name, kwargs={"section": section}) for section in SITEMAPS]
    if name == "articles:search":
        return [reverse(name) + "?q=harbour"]
    if name in slugs:
        return [reverse(name, kwargs={"slug": slugs[name]})]
    try:
        return [reverse(name)]
    except Exception as exc:
        raise AssertionError(
            f"The public page {name!r} takes arguments this test cannot fill: add it to "
            "urls_of() so that what it shows is checked too."
        ) from exc


def markers(obj) -> list[str]:
    """How a page shows ``obj``: its address, or its picture's files."""
    if isinstance(obj, Image):
        names = [obj.file.name] + [n for copies in obj.renditions.values() for n in copies.values()]
        return [f"/media/{name}" for name in names]
    return [obj.get_absolute_url()]


def shown(html: str, obj) -> bool:
    return any(
        f'{marker}"' in html or f"{marker} " in html or f"{marker}<" in html
        for marker in markers(obj)
    )


def test_every_object_a_public_page_shows_renews_it_when_saved(client):
    story = site()
    routes = list(public_routes())
    assert {"articles:home", "articles:article", "sitemap"} <= set(routes)
    objects = [
        *Article.objects.all(),
        *Section.objects.all(),
        *Author.objects.all(),
        *Tag.objects.all(),
        *Image.objects.all(),
    ]
    checked = 0
    for url in [url for name in routes for url in urls_of(name, story)]:
        html = client.get(url).content.decode()
        for obj in objects:
            if not shown(html, obj):
                continue
            assert client.get(url)["X-Page-Cache"] in {"hit", "hit-local"}, url
            type(obj).objects.get(pk=obj.pk).save()
            response = client.get(url)
            assert response["X-Page-Cache"] == "miss", (
                f"{url} shows {type(obj).__name__} {obj} but was not renewed when it was saved"
            )
            checked += 1
    assert checked > 50  # the site above is shown in many places
