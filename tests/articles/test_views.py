import datetime as dt
import json
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from articles.models import Article, FrontPageSlot
from tests.factories import (
    make_article,
    make_author,
    make_image,
    make_section,
    make_tag,
)

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def test_article_page_has_every_part_of_the_anatomy(client, story):
    popular = make_article(headline="Popular top story", featured=True)
    latest = make_article(headline="A newer story", published_at=timezone.now())
    html = client.get(story.get_absolute_url()).text

    # 1 header: site name linking home, section navigation, search box
    assert re.search(
        r'<a class="site-name" href="/"><img [^>]*logo\.svg[^>]*><span>All Israel News</span></a>',
        html,
    )
    assert '<nav class="section-nav" aria-label="Sections">' in html
    assert 'href="/section/all-israel/"' in html
    assert 'role="search"' in html
    assert 'action="/search/"' in html
    # 2 section label, 3 the only h1, 4 dek
    assert '<p class="label story__section"><a href="/section/all-israel/">All Israel</a>' in html
    assert html.count("<h1") == 1
    assert '<h1 class="story__headline">Desalination plant doubles its output</h1>' in html
    assert "The expansion supplies a fifth of the country&#x27;s drinking water." in html
    # 5 byline with author links, dates, updated, reading time
    assert 'href="/author/all-israel-news-staff/">All Israel News Staff</a> and' in html
    assert 'href="/author/dana-levi/">Dana Levi</a>' in html
    local_published = timezone.localtime(story.published_at).isoformat(timespec="seconds")
    assert f'datetime="{local_published}"' in html
    assert "Updated <time" in html
    assert "min read" in html
    # 6 lead image in a figure with srcset, sizes, dimensions, alt, caption and credit
    figure = re.search(r'<figure class="story__figure">(.*?)</figure>', html, re.S).group(1)
    assert '<source type="image/webp" srcset="' in figure
    assert re.search(r'srcset="[^"]*480w\.jpg 480w', figure)
    assert 'sizes="(min-width: 60em) 44rem, calc(100vw - 2rem)"' in figure
    assert 'width="1600" height="1000"' in figure
    assert 'alt="Pipes at the desalination plant"' in figure
    assert "<figcaption>The new hall, November 2026." in figure
    assert "(Photo: Shutterstock)" in figure
    # 7 body with sub-heading, inline and block quotes, list
    assert "<h2>What changes</h2>" in html
    assert "<q>water is cheaper</q>" in html
    assert "<blockquote><p>We planned this for ten years.</p></blockquote>" in html
    # 9 tags and share links that need no script
    assert 'href="/tag/water/" rel="tag">Water</a>' in html
    share = re.search(r'<div class="share">(.*?)</div>', html, re.S).group(1)
    assert '<ul class="share__list" aria-labelledby="share-title">' in share
    assert 'class="share__button share__button--email" href="mailto:?subject=' in share
    assert "<script" not in share
    # 10 author box with the organisation's bio
    box = re.search(r'<section class="author-box"(.*?)</section>', html, re.S).group(1)
    assert "All Israel News Staff" in box
    assert "A team of journalists in Israel reporting on the news." in box
    # the organisation's logo where it has no photo of its own
    assert re.search(
        r'<img class="author-box__photo author-box__photo--logo" src="[^"]*logo\.svg"', box
    )
    # 11 popular, 12 newsletter box, 13 latest, none listing this story itself
    assert "Popular Articles" in html
    assert "Latest Stories" in html
    aside = re.search(r'<aside class="story-aside"(.*?)</aside>', html, re.S).group(1)
    assert popular.headline in aside
    assert latest.headline in aside
    assert story.headline not in aside
    assert "Receive latest news &amp; updates" in html
    assert 'action="/newsletter/subscribe/" method="post"' in html
    # 14 footer with about, contact, feeds and legal links
    footer = re.search(r'<footer class="site-footer">(.*?)</footer>', html, re.S).group(1)
    for href in ['"/about/"', '"/about/#contact"', '"/feed/"', '"/privacy/"']:
        assert href in footer
    # landmarks and skip link
    for landmark in ["<header", "<nav", '<main id="content"', "<article", "<aside", "<footer"]:
        assert landmark in html
    assert '<a class="skip-link" href="#content">' in html


def test_the_side_lists_show_a_thumbnail_of_each_story(client, story):
    """Each story in "Popular Articles" and "Latest Stories" shows a small copy of its lead
    picture: the renditions (so a phone fetches a small file), its size (nothing shifts while
    it loads) and its alt text; a story without a picture shows its headline alone."""
    pictured = make_article(
        headline="Harbour reopens",
        lead_image=make_image(width=1200, height=800, alt_text="Boats in the harbour"),
    )
    plain = make_article(headline="Council meets")
    # Nothing read yet: "Popular Articles" is the newest stories, like "Latest Stories".
    html = client.get(story.get_absolute_url()).text
    for title_id in ("popular-title", "latest-title"):
        listing = re.search(
            rf'<section class="story-list" aria-labelledby="{title_id}">(.*?)</section>', html, re.S
        ).group(1)
        items = {
            re.search(r">([^<]+)</a>", item).group(1): item
            for item in re.findall(r"<li>(.*?)</li>", listing, re.S)
        }
        assert set(items) == {pictured.headline, plain.headline}, title_id
        thumb = items[pictured.headline]
        assert re.search(r'<source type="image/webp" srcset="[^"]*-480w\.webp 480w', thumb)
        img = re.search(r"<img [^>]*>", thumb).group(0)
        assert re.search(r'src="/media/renditions/[^"]+\.jpg"', img)
        assert 'sizes="5rem"' in img
        assert 'width="1200" height="800"' in img
        assert 'alt="Boats in the harbour"' in img
        assert 'loading="lazy"' in img
        assert "<img" not in items[plain.headline]


def test_the_author_box_shows_a_persons_photo(client):
    """A reporter with a photo of their own gets it in the author box, in the renditions, at
    the box's size; beside the name it says nothing more (alt="")."""
    photo = make_image(width=600, height=600, alt_text="Dana Levi")
    dana = make_author(name="Dana Levi", slug="dana-levi", photo=photo)
    noa = make_author(name="Noa Bar", slug="noa-bar")  # no photo: her initial
    story = make_article(authors=[dana, noa])
    html = client.get(story.get_absolute_url()).text
    box = re.search(r'<section class="author-box"(.*?)</section>', html, re.S).group(1)
    items = re.findall(r'<div class="author-box__item">(.*?)</div>\s*</div>', box, re.S)
    assert len(items) == 2
    img = re.search(r"<img [^>]*>", items[0]).group(0)
    assert img.startswith('<img class="author-box__photo" ')
    assert re.search(r'src="/media/renditions/[^"]+\.jpg"', img)
    assert re.search(r'srcset="[^"]*-240w\.jpg 240w', img)
    assert 'sizes="4rem"' in img
    assert 'alt="" width="64" height="64"' in img
    assert "Dana Levi</a>" in items[0]
    assert "<img" not in items[1]
    initial = '<span class="author-box__photo author-box__initials" aria-hidden="true">N</span>'
    assert initial in items[1]


def test_article_head_metadata(client, story):
    html = client.get(story.get_absolute_url()).text
    url = "http://testserver/news/desalination-plant-doubles/"
    assert "<title>Desalination plant doubles its output | All Israel News</title>" in html
    assert '<meta name="description" content="The expansion supplies a fifth' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:image" content="http://testserver/media/renditions/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="article:tag" content="Water">' in html
    assert 'type="application/rss+xml"' in html

    data = json_ld(html)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == story.headline
    assert data["mainEntityOfPage"]["@id"] == url
    published = dt.datetime.fromisoformat(data["datePublished"])
    modified = dt.datetime.fromisoformat(data["dateModified"])
    assert published == story.published_at.replace(microsecond=0)
    assert modified == story.updated_at.replace(microsecond=0)
    assert published.utcoffset() == timezone.localtime(story.published_at).utcoffset()
    assert data["author"] == [
        {
            "@type": "Organization",
            "name": "All Israel News Staff",
            "url": "http://testserver/author/all-israel-news-staff/",
        },
        {"@type": "Person", "name": "Dana Levi", "url": "http://testserver/author/dana-levi/"},
    ]
    assert data["publisher"]["name"] == "All Israel News"
    assert data["publisher"]["logo"]["url"].endswith("/static/img/logo.png")
    assert data["image"][0].startswith("http://testserver/media/renditions/")
    assert data["articleSection"] == "All Israel"
    assert sorted(data["keywords"]) == ["Energy", "Water"]


def test_json_ld_cannot_break_out_of_its_script(client):
    article = make_article(headline="</script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).text
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)["headline"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + dt.timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_stories_are_not_found(client, fields):
    article = make_article(**fields)
    assert client.get(article.get_absolute_url()).status_code == 404
    make_article(headline="Visible")
    home = client.get("/").text
    assert article.headline not in home
    assert "Visible" in home


def test_scheduled_story_appears_when_its_time_comes(client):
    article = make_article(published_at=timezone.now() + dt.timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now())
    assert client.get(article.get_absolute_url()).status_code == 200


def test_home_shows_top_story_then_capped_latest(client, settings):
    settings.HOME_PAGE_SIZE = 6
    top = make_article(headline="The top story", featured=True, lead_image=make_image())
    for n in range(8):
        make_article(
            headline=f"Latest {n}",
            published_at=timezone.now() - dt.timedelta(minutes=n),
            lead_image=make_image(),
        )
    html = client.get("/").text
    front = re.search(r'<section class="front"(.*?)</section>', html, re.S).group(1)
    lead = re.search(r'<div class="front__lead">(.*?)</div>\s*<div', front, re.S).group(1)
    assert top.headline in lead
    assert "<img" in lead
    beside = front.split('<div class="front__secondary">')[1]
    # Beside the lead, four stories as compact rows with small thumbnails.
    assert [f"Latest {n}" in beside for n in range(6)] == [True] * 4 + [False] * 2
    assert beside.count('<article class="row">') == 4
    assert beside.count('sizes="8rem"') == 8  # WebP and JPEG
    latest = re.search(r'<section class="latest"(.*?)</section>', html, re.S).group(1)
    assert [f"Latest {n}" in latest for n in range(8)] == [False] * 4 + [True] * 2 + [False] * 2
    assert top.headline not in latest


def test_home_follows_the_order_editors_pinned(client):
    stories = [
        make_article(headline=f"Story {n}", published_at=timezone.now() - dt.timedelta(hours=n))
        for n in range(6)
    ]
    draft = make_article(headline="A draft pinned", status=Article.Status.DRAFT)
    FrontPageSlot.objects.create(position=1, article=stories[4])
    FrontPageSlot.objects.create(position=2, article=stories[5])
    FrontPageSlot.objects.create(position=3, article=draft)  # readers never see it
    html = client.get("/").text
    lead = re.search(r'<div class="front__lead">(.*?)</div>', html, re.S).group(1)
    assert "Story 4" in lead
    beside = re.search(r'<div class="front__secondary">(.*?)</section>', html, re.S).group(1)
    order = [n for n in range(6) if f"Story {n}<" in beside]
    assert sorted(order, key=lambda n: beside.index(f"Story {n}<")) == [5, 0, 1, 2]
    assert "A draft pinned" not in html
    # Moving a pin renews the cached page.
    FrontPageSlot.objects.filter(position=1).delete()
    FrontPageSlot.objects.filter(position=2).update(position=1)  # no signal: save() instead
    slot = FrontPageSlot.objects.get(position=1)
    slot.save()
    lead = re.search(r'<div class="front__lead">(.*?)</div>', client.get("/").text, re.S)
    assert "Story 5" in lead.group(1)


def test_home_has_a_block_per_section_of_stories_not_at_the_top(client):
    culture, business = make_section(name="Culture"), make_section(name="Business")
    make_article(headline="The lead", featured=True, section=culture)
    for n in range(9):
        make_article(
            headline=f"Culture {n}",
            section=culture,
            published_at=timezone.now() - dt.timedelta(hours=n),
        )
    make_article(
        headline="Business 0",
        section=business,
        published_at=timezone.now() - dt.timedelta(hours=20),
    )
    html = client.get("/").text
    blocks = re.findall(r'<section class="section-block"(.*?)</section>', html, re.S)
    assert len(blocks) == 2
    business_block, culture_block = blocks  # in navigation order (order, then name)
    assert "Business 0" in business_block
    # Four at most, none of those at the top of the page.
    assert [f"Culture {n}<" in culture_block for n in range(9)] == [False] * 4 + [True] * 4 + [
        False
    ]
    assert "The lead" not in culture_block


def test_home_without_stories(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No stories have been published yet." in response.text


@pytest.mark.parametrize("kind", ["section", "author", "tag"])
def test_listing_pages_list_only_published_stories(client, kind):
    owner = {"section": make_section, "author": make_author, "tag": make_tag}[kind]()
    link = {"section": {"section": owner}, "author": {"authors": [owner]}, "tag": {"tags": [owner]}}
    shown = make_article(headline="Shown here", **link[kind])
    make_article(headline="Draft here", status=Article.Status.DRAFT, **link[kind])
    make_article(headline="Elsewhere")
    response = client.get(owner.get_absolute_url())
    assert response.status_code == 200
    assert f"<h1>{owner.name}</h1>" in response.text
    assert shown.headline in response.text
    assert "Draft here" not in response.text
    assert "Elsewhere" not in response.text


def test_listing_pagination_and_missing_pages(client, settings):
    settings.LIST_PAGE_SIZE = 2
    section = make_section()
    for _ in range(3):
        make_article(section=section)
    assert 'rel="next"' in client.get(section.get_absolute_url()).text
    assert client.get(section.get_absolute_url() + "?page=2").status_code == 200
    assert client.get(section.get_absolute_url() + "?page=3").status_code == 404
    assert client.get(section.get_absolute_url() + "?page=x").status_code == 404


def test_author_page_shows_bio(client):
    author = make_author(bio="Covers the Negev.")
    assert "Covers the Negev." in client.get(author.get_absolute_url()).text


@pytest.mark.parametrize("query", ["", "   ", "!!!", '"quoted words"', "ירושלים", "x" * 5000])
def test_search_answers_any_query(client, query):
    make_article(headline="Jerusalem marathon draws record field")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_search_finds_words_in_headline_and_dek(client):
    make_article(headline="Jerusalem marathon draws record field", dek="Runners from 60 countries")
    make_article(headline="Wine harvest")
    html = client.get("/search/", {"q": "marathon countries"}).text
    assert "Jerusalem marathon" in html
    assert "Wine harvest" not in html


def test_unknown_pages_get_the_branded_404(client):
    response = client.get("/news/no-such-story/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert "All Israel News" in response.text


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_server_errors_get_the_branded_500(settings):
    from articles.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "All Israel News" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/news/{slug}/", "/section/{section}/", "/newsletter/"])
def test_public_pages_set_no_cookie_and_carry_no_token(path, story):
    client = Client()
    url = path.format(slug=story.slug, section=story.section.slug)
    response = client.get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.text
    assert "Vary" not in response or "Cookie" not in response["Vary"]


def test_public_pages_are_identical_for_every_reader(story):
    first = Client().get(story.get_absolute_url()).content
    second = Client(HTTP_USER_AGENT="Other reader").get(story.get_absolute_url()).content
    assert first == second


def test_feed_lists_published_stories(client, story):
    make_article(headline="Unpublished", status=Article.Status.DRAFT)
    xml = client.get("/feed/").text
    assert story.headline in xml
    assert "Unpublished" not in xml
