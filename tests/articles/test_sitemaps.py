"""The sitemap index, its sitemaps (stories with images, sections, authors, Google News) and
robots.txt. Each sitemap is validated against its XML schema (tests/articles/schemas)."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from lxml import etree

from articles.models import Article, Image
from tests.factories import make_article, make_author, make_image, make_section, make_tag

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SITEMAP_URLS = [
    "/sitemap-articles.xml",
    "/sitemap-sections.xml",
    "/sitemap-authors.xml",
    "/sitemap-news.xml",
]


def load_schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


@pytest.fixture(scope="module")
def urlset_schema():
    return load_schema("sitemap-with-extensions.xsd")


@pytest.fixture(scope="module")
def index_schema():
    return load_schema("siteindex.xsd")


def xml(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def valid(document, schema):
    assert schema.validate(document), schema.error_log
    return document


def entries(document) -> dict[str, etree._Element]:
    return {url.findtext("sm:loc", namespaces=NS): url for url in document.iterfind("sm:url", NS)}


def when(text: str) -> dt.datetime:
    return parse_datetime(text)


@pytest.fixture
def story():
    published = timezone.now() - dt.timedelta(hours=5)
    return make_article(
        headline="Desalination plant doubles its output & more",
        slug="desalination-plant-doubles",
        section=make_section(name="Science", slug="science"),
        lead_image=make_image(width=900, height=600),
        authors=[make_author(name="Dana Levi", slug="dana-levi")],
        tags=[make_tag()],
        published_at=published,
        updated_at=published + dt.timedelta(hours=1),
    )


def test_schemas_reject_what_they_should(urlset_schema, index_schema):
    # The schemas are strict enough to mean something.
    sm = NS["sm"]
    no_loc = etree.fromstring(
        f'<urlset xmlns="{sm}"><url><lastmod>2026-01-01</lastmod></url></urlset>'
    )
    assert not urlset_schema.validate(no_loc)
    bad_news = etree.fromstring(
        f'<urlset xmlns="{sm}" xmlns:news="{NS["news"]}"><url><loc>https://example.com/a</loc>'
        "<news:news><news:title>T</news:title></news:news></url></urlset>"
    )
    assert not urlset_schema.validate(bad_news)
    assert not index_schema.validate(etree.fromstring(f'<sitemapindex xmlns="{sm}"/>'))


def test_index_lists_every_sitemap(client, index_schema, story):
    document = valid(xml(client.get("/sitemap.xml")), index_schema)
    locations = [loc.text for loc in document.iterfind("sm:sitemap/sm:loc", NS)]
    assert locations == [f"http://testserver{url}" for url in SITEMAP_URLS]
    lastmods = [when(text) for text in document.xpath("//sm:lastmod/text()", namespaces=NS)]
    assert lastmods == [story.updated_at] * 4


def test_article_sitemap_has_lastmod_and_lead_image(client, urlset_schema, story):
    plain = make_article(lead_image=None)
    document = valid(xml(client.get("/sitemap-articles.xml")), urlset_schema)
    found = entries(document)
    assert set(found) == {
        f"http://testserver{story.get_absolute_url()}",
        f"http://testserver{plain.get_absolute_url()}",
    }
    url = found[f"http://testserver{story.get_absolute_url()}"]
    assert when(url.findtext("sm:lastmod", namespaces=NS)) == story.modified == story.updated_at
    image = Image.objects.get(pk=story.lead_image_id)
    assert url.xpath("image:image/image:loc/text()", namespaces=NS) == [
        f"http://testserver{image.fallback_url}"
    ]
    other = found[f"http://testserver{plain.get_absolute_url()}"]
    assert when(other.findtext("sm:lastmod", namespaces=NS)) == plain.published_at
    assert other.find("image:image", NS) is None


def test_sitemaps_use_the_request_scheme_and_host(urlset_schema, story):
    client = Client(HTTP_HOST="localhost")
    document = valid(xml(client.get("/sitemap-articles.xml", secure=True)), urlset_schema)
    (url,) = entries(document).values()
    assert url.findtext("sm:loc", namespaces=NS).startswith("https://localhost/news/")
    assert url.findtext("image:image/image:loc", namespaces=NS).startswith("https://localhost/")
    index = xml(client.get("/sitemap.xml", secure=True))
    assert index.findtext("sm:sitemap/sm:loc", namespaces=NS).startswith("https://localhost/")


def test_news_sitemap_lists_the_last_48_hours(client, urlset_schema, story):
    old = make_article(published_at=timezone.now() - dt.timedelta(hours=49))
    document = valid(xml(client.get("/sitemap-news.xml")), urlset_schema)
    found = entries(document)
    assert list(found) == [f"http://testserver{story.get_absolute_url()}"]
    assert f"http://testserver{old.get_absolute_url()}" not in found
    news = found[f"http://testserver{story.get_absolute_url()}"].find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == settings.SITE_NAME
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    published = news.findtext("news:publication_date", namespaces=NS)
    assert "T" in published
    assert when(published) == story.published_at
    assert news.findtext("news:title", namespaces=NS) == story.headline
    # Still in the full article sitemap.
    assert f"http://testserver{old.get_absolute_url()}" in entries(
        xml(client.get("/sitemap-articles.xml"))
    )


def test_section_and_author_sitemaps(client, urlset_schema, story):
    empty_section = make_section(name="Empty", slug="empty")
    draft_only = make_author(name="Draft Writer", slug="draft-writer")
    make_article(status=Article.Status.DRAFT, authors=[draft_only])
    sections = entries(valid(xml(client.get("/sitemap-sections.xml")), urlset_schema))
    assert set(sections) == {
        f"http://testserver{story.section.get_absolute_url()}",
        f"http://testserver{empty_section.get_absolute_url()}",
    }
    science = sections[f"http://testserver{story.section.get_absolute_url()}"]
    assert when(science.findtext("sm:lastmod", namespaces=NS)) == story.updated_at
    assert sections["http://testserver/section/empty/"].find("sm:lastmod", NS) is None
    authors = entries(valid(xml(client.get("/sitemap-authors.xml")), urlset_schema))
    assert list(authors) == ["http://testserver/author/dana-levi/"]
    dana = authors["http://testserver/author/dana-levi/"]
    assert when(dana.findtext("sm:lastmod", namespaces=NS)) == story.updated_at


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"status": Article.Status.UNPUBLISHED, "published_at": timezone.now()},
        {
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() + dt.timedelta(hours=2),
        },
    ],
    ids=["draft", "review", "unpublished", "scheduled"],
)
def test_hidden_stories_never_appear_in_a_sitemap(client, story, fields):
    hidden_author = make_author(name="Hidden Writer", slug="hidden-writer")
    hidden = make_article(
        headline="Hidden story",
        slug="hidden-story",
        section=story.section,
        authors=[hidden_author],
        lead_image=make_image(width=500, height=300),
        **fields,
    )
    for url in ["/sitemap.xml", *SITEMAP_URLS]:
        content = client.get(url).content
        assert hidden.slug.encode() not in content
        assert b"Hidden" not in content
        assert b"hidden-writer" not in content
        assert f"/renditions/{hidden.lead_image_id}/".encode() not in content
    # Nor does its time count as the section's last change.
    science = entries(xml(client.get("/sitemap-sections.xml")))[
        f"http://testserver{story.section.get_absolute_url()}"
    ]
    assert when(science.findtext("sm:lastmod", namespaces=NS)) == story.updated_at


def test_robots_txt_names_the_sitemap_index(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.text.splitlines()
    assert "User-agent: *" in response.text
    secure = Client(HTTP_HOST="localhost").get("/robots.txt", secure=True)
    assert "Sitemap: https://localhost/sitemap.xml" in secure.text.splitlines()


def test_sitemaps_and_robots_are_cache_friendly(client, story):
    for url in ["/robots.txt", "/sitemap.xml", *SITEMAP_URLS]:
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")


# On a cold cache. The index: per sitemap, a count for its pages and its latest change. A
# sitemap: the count for its pages and the page of entries. Both: the next scheduled story's
# time (the page cache's).
INDEX_QUERIES = 9
SITEMAP_QUERIES = 3


@pytest.mark.parametrize("n_stories", [1, 20])
def test_sitemap_query_count_is_constant(
    client, django_assert_num_queries, urlset_schema, index_schema, n_stories
):
    for _ in range(n_stories):
        make_article(
            section=make_section(),
            authors=[make_author()],
            lead_image=make_image(width=500, height=300),
        )
    with django_assert_num_queries(INDEX_QUERIES):
        valid(xml(client.get("/sitemap.xml")), index_schema)
    for url in SITEMAP_URLS:
        cache.clear()
        with django_assert_num_queries(SITEMAP_QUERIES):
            document = valid(xml(client.get(url)), urlset_schema)
        assert len(entries(document)) == n_stories
    images = xml(client.get("/sitemap-articles.xml")).xpath("//image:loc", namespaces=NS)
    assert len(images) == n_stories
