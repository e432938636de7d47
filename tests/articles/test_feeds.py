"""RSS 2.0 and Atom feeds for the site, each section and each author."""

import calendar
import datetime as dt
import gzip

import feedparser
import lxml.html
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from articles.models import Article, Image
from tests.factories import make_article, make_author, make_image, make_section, make_tag

pytestmark = pytest.mark.django_db

FEED_NAMES = [
    "articles:feed",
    "articles:feed-atom",
    "articles:section-feed",
    "articles:section-feed-atom",
    "articles:author-feed",
    "articles:author-feed-atom",
]


@pytest.fixture
def section():
    return make_section(name="Science", slug="science", description="Discoveries and research.")


@pytest.fixture
def reporters():
    return [
        make_author(name="Dana Levi", slug="dana-levi"),
        make_author(name="Omer Katz", slug="omer-katz"),
    ]


@pytest.fixture
def story(section, reporters):
    published = timezone.now() - dt.timedelta(hours=3)
    return make_article(
        headline="Desalination plant doubles its output",
        slug="desalination-plant-doubles",
        dek="The expansion supplies a fifth of the country's drinking water.",
        section=section,
        lead_image=make_image(width=900, height=600),
        authors=reporters,
        tags=[make_tag(name="Water", slug="water"), make_tag(name="Energy", slug="energy")],
        published_at=published,
        updated_at=published + dt.timedelta(hours=1),
    )


def feed_url(name, story):
    if name.startswith("articles:section"):
        return reverse(name, kwargs={"slug": story.section.slug})
    if name.startswith("articles:author"):
        return reverse(name, kwargs={"slug": story.byline[0].slug})
    return reverse(name)


def parse(response):
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def timestamp(struct_time) -> int:
    return calendar.timegm(struct_time)


def test_urls():
    assert reverse("articles:feed") == "/feed/"
    assert reverse("articles:feed-atom") == "/feed/atom/"
    assert reverse("articles:section-feed", kwargs={"slug": "s"}) == "/section/s/feed/"
    assert reverse("articles:section-feed-atom", kwargs={"slug": "s"}) == "/section/s/feed/atom/"
    assert reverse("articles:author-feed", kwargs={"slug": "a"}) == "/author/a/feed/"
    assert reverse("articles:author-feed-atom", kwargs={"slug": "a"}) == "/author/a/feed/atom/"


@pytest.mark.parametrize("name", FEED_NAMES)
def test_a_feed_reader_taking_gzip_gets_the_same_valid_feed(client, story, name):
    plain = client.get(feed_url(name, story))
    compressed = client.get(feed_url(name, story), headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"
    assert compressed["Vary"] == "Accept-Encoding"
    assert gzip.decompress(compressed.content) == plain.content
    assert feedparser.parse(gzip.decompress(compressed.content)).bozo == 0


@pytest.mark.parametrize("name", FEED_NAMES)
def test_feed_is_valid_and_describes_the_story(client, story, name):
    response = client.get(feed_url(name, story))
    atom = name.endswith("-atom")
    assert response["Content-Type"].startswith(
        "application/atom+xml" if atom else "application/rss+xml"
    )
    parsed = parse(response)
    assert parsed.version == ("atom10" if atom else "rss20")
    assert parsed.feed.title.startswith(f"{settings.SITE_NAME}: ")
    assert parsed.feed.link.startswith("http://testserver/")
    assert parsed.feed.get("language", settings.SITE_LANGUAGE) == settings.SITE_LANGUAGE
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    permalink = f"http://testserver{story.get_absolute_url()}"
    assert entry.title == story.headline
    assert entry.link == permalink
    assert entry.id == permalink
    assert entry.summary == story.dek
    assert timestamp(entry.published_parsed) == int(story.published_at.timestamp())
    if atom:
        assert timestamp(entry.updated_parsed) == int(story.updated_at.timestamp())
        assert [a.get("href") for a in entry.authors] == [
            "http://testserver/author/dana-levi/",
            "http://testserver/author/omer-katz/",
        ]
    else:
        assert f'<guid isPermaLink="true">{permalink}</guid>'.encode() in response.content
    assert [a["name"] for a in entry.authors] == ["Dana Levi", "Omer Katz"]
    assert [t.term for t in entry.tags] == ["Science", "Energy", "Water"]

    image = Image.objects.get(pk=story.lead_image_id)
    assert len(entry.enclosures) == 1
    enclosure = entry.enclosures[0]
    assert enclosure.href == f"http://testserver{image.fallback_url}"
    assert enclosure.href.endswith(".jpg")
    name_in_storage = enclosure.href.removeprefix(f"http://testserver{settings.MEDIA_URL}")
    assert int(enclosure.length) == image.file.storage.size(name_in_storage) > 0
    assert enclosure.type == "image/jpeg"


def test_feeds_use_the_request_scheme_and_host(story):
    client = Client(HTTP_HOST="localhost")
    for name in FEED_NAMES:
        response = client.get(feed_url(name, story), secure=True)
        entry = parse(response).entries[0]
        assert entry.link == f"https://localhost{story.get_absolute_url()}"
        assert entry.enclosures[0].href.startswith("https://localhost/media/")


HOSTILE_DEK = '<svg onload="alert(1)">Tom & Jerry</svg> <b>bold</b>'


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"dek": HOSTILE_DEK}, HOSTILE_DEK),
        ({"dek": "", "description": HOSTILE_DEK}, HOSTILE_DEK),
        ({"dek": "", "description": "", "body": "<p>Fish &amp; chips &lt;script&gt;</p>"}, None),
    ],
)
def test_feed_text_is_escaped_so_readers_show_it_as_text(client, fields, shown):
    """RSS's description and Atom's summary type="html" are HTML to a feed reader: the plain
    text in them is escaped, so markup typed into a dek reaches no reader as markup."""
    make_article(**fields)
    for url, path in (("/feed/", "channel/item/description"), ("/feed/atom/", "a:entry/a:summary")):
        root = etree.fromstring(client.get(url).content)
        (element,) = root.xpath(path, namespaces={"a": "http://www.w3.org/2005/Atom"})
        if url.endswith("atom/"):
            assert element.get("type") == "html"
        # What the reader renders: the element's text read as HTML.
        fragment = lxml.html.fragment_fromstring(element.text, create_parent="div")
        assert len(fragment) == 0, f"{url}: markup in {element.text!r}"
        assert fragment.text_content() == (shown or "Fish & chips <script>"), url


def test_feed_of_a_story_without_image_or_dek(client):
    story = make_article(dek="", description="What search engines read.", lead_image=None)
    entry = parse(client.get("/feed/")).entries[0]
    assert entry.title == story.headline
    assert entry.summary == "What search engines read."
    assert entry.get("enclosures", []) == []
    assert entry.get("tags", []) == []
    assert "authors" not in entry or entry.authors == [{}]
    # In Atom, the publication is the author of a story without a byline.
    atom = parse(client.get("/feed/atom/"))
    assert atom.feed.author == settings.SITE_NAME
    assert "<entry>" in client.get("/feed/atom/").text


def test_enclosure_is_the_original_while_no_copy_exists(client):
    image = make_image(width=640, height=400)
    Image.objects.filter(pk=image.pk).update(renditions={})
    make_article(lead_image=image)
    for url in ["/feed/", "/feed/atom/"]:
        enclosure = parse(client.get(url)).entries[0].enclosures[0]
        assert enclosure.href == f"http://testserver{image.file.url}"
        assert int(enclosure.length) == image.file.size
        assert enclosure.type == "image/jpeg"


def test_an_image_of_unknown_size_leaves_the_enclosure_out(client, caplog):
    """The feed takes the enclosure's length from the database, never from the storage: a
    file whose size is not recorded is left out (and said so in the log)."""
    image = make_image(width=640, height=400)
    Image.objects.filter(pk=image.pk).update(file_bytes={})
    story = make_article(lead_image=image)
    entry = parse(client.get("/feed/")).entries[0]
    assert entry.title == story.headline
    assert entry.get("enclosures", []) == []
    assert "is unknown" in caplog.text


def test_section_and_author_feeds_list_only_their_stories(client, story, section, reporters):
    other = make_article(
        section=make_section(),
        authors=[make_author()],
        published_at=timezone.now() - dt.timedelta(minutes=30),
    )
    for url in [
        reverse("articles:section-feed", kwargs={"slug": section.slug}),
        reverse("articles:author-feed-atom", kwargs={"slug": reporters[1].slug}),
    ]:
        titles = [entry.title for entry in parse(client.get(url)).entries]
        assert titles == [story.headline]
    site_titles = [entry.title for entry in parse(client.get("/feed/")).entries]
    assert site_titles == [other.headline, story.headline]  # newest first


def test_unknown_section_or_author_feed_is_404(client):
    for name in FEED_NAMES[2:]:
        assert client.get(reverse(name, kwargs={"slug": "nobody"})).status_code == 404


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
def test_hidden_stories_never_appear_in_a_feed(client, story, section, reporters, fields):
    hidden = make_article(
        headline="Hidden story",
        slug="hidden-story",
        section=section,
        authors=reporters,
        lead_image=make_image(width=500, height=300),
        **fields,
    )
    for name in FEED_NAMES:
        response = client.get(feed_url(name, story))
        parsed = parse(response)
        assert [entry.title for entry in parsed.entries] == [story.headline]
        assert hidden.slug.encode() not in response.content
        assert b"Hidden story" not in response.content


def test_feed_lists_at_most_a_page_newest_first(client):
    now = timezone.now()
    stories = [
        make_article(published_at=now - dt.timedelta(minutes=n))
        for n in range(1, settings.LIST_PAGE_SIZE + 3)
    ]
    entries = parse(client.get("/feed/atom/")).entries
    assert [entry.title for entry in entries] == [
        story.headline for story in stories[: settings.LIST_PAGE_SIZE]
    ]


def test_feeds_are_cache_friendly(client, story):
    for name in FEED_NAMES:
        response = client.get(feed_url(name, story))
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")
        assert "Last-Modified" in response


def test_pages_announce_their_feeds(client, story, section, reporters):
    home = client.get("/").text
    assert '<link rel="alternate" type="application/rss+xml"' in home
    assert 'href="/feed/"' in home
    assert '<link rel="alternate" type="application/atom+xml"' in home
    assert 'href="/feed/atom/"' in home
    section_page = client.get(section.get_absolute_url()).text
    assert 'href="/section/science/feed/"' in section_page
    assert 'href="/section/science/feed/atom/"' in section_page
    author_page = client.get(reporters[0].get_absolute_url()).text
    assert 'href="/author/dana-levi/feed/"' in author_page
    assert 'href="/author/dana-levi/feed/atom/"' in author_page
    # Every announced feed answers.
    for url in ["/feed/", "/feed/atom/", "/section/science/feed/", "/author/dana-levi/feed/"]:
        parse(client.get(url))


# The stories (with section and lead image), their bylines with authors, their tags; the
# section or author feeds read their owner first; the next scheduled story's time (page cache).
SITE_FEED_QUERIES = 4
OWNER_FEED_QUERIES = 5


@pytest.mark.parametrize("n_stories", [1, 20])
def test_feed_query_count_is_constant(client, django_assert_num_queries, n_stories):
    section = make_section()
    authors = [make_author() for _ in range(3)]
    tags = [make_tag() for _ in range(4)]
    for _ in range(n_stories):
        make_article(
            section=section,
            authors=authors,
            tags=tags,
            lead_image=make_image(width=500, height=300),
            dek="",
        )
    urls = {
        "/feed/": SITE_FEED_QUERIES,
        "/feed/atom/": SITE_FEED_QUERIES,
        reverse("articles:section-feed", kwargs={"slug": section.slug}): OWNER_FEED_QUERIES,
        reverse("articles:section-feed-atom", kwargs={"slug": section.slug}): OWNER_FEED_QUERIES,
        reverse("articles:author-feed", kwargs={"slug": authors[1].slug}): OWNER_FEED_QUERIES,
        reverse("articles:author-feed-atom", kwargs={"slug": authors[1].slug}): (
            OWNER_FEED_QUERIES
        ),
    }
    for url, queries in urls.items():
        cache.clear()  # a cold cache
        with django_assert_num_queries(queries):
            response = client.get(url)
        entries = parse(response).entries
        assert len(entries) == n_stories
        assert all(len(entry.enclosures) == 1 for entry in entries)
