"""The public corrections record: /corrections/, its feeds, and ``correction`` in each
corrected story's NewsArticle."""

import datetime as dt
from html import unescape

import extruct
import feedparser
import lxml.html
import pytest
from django.utils import dateformat, timezone
from lxml import etree

from articles.models import Article, Note
from articles.templatetags.newsroom import DATE_STYLE
from tests.factories import make_article

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def notes():
    now = timezone.now()
    harbour = make_article(headline="Harbour reopens", slug="harbour-reopens")
    budget = make_article(headline="Budget passes", slug="budget-passes")
    old = harbour.notes.create(
        kind=Note.Kind.CORRECTION,
        text="An earlier version gave the wrong opening date.",
        created_at=now - dt.timedelta(hours=3),
    )
    update = budget.notes.create(
        kind=Note.Kind.UPDATE,
        text="This story was updated with the final vote count.",
        created_at=now - dt.timedelta(hours=2),
    )
    new = harbour.notes.create(
        kind=Note.Kind.CORRECTION,
        text="The harbour master's name was misspelt.",
        created_at=now - dt.timedelta(hours=1),
    )
    draft = make_article(headline="Secret draft", status=Article.Status.DRAFT)
    draft.notes.create(text="A note on a draft readers never saw.")
    return {"harbour": harbour, "budget": budget, "old": old, "update": update, "new": new}


def test_the_record_lists_every_note_of_public_stories_newest_first(client, notes):
    response = client.get("/corrections/")
    assert response.status_code == 200
    html = unescape(response.text)
    positions = [html.index(notes[name].text) for name in ("new", "update", "old")]
    assert positions == sorted(positions)
    assert "A note on a draft" not in html
    assert html.count('class="correction"') == 3
    assert 'href="/news/harbour-reopens/"' in html
    assert f'id="note-{notes["new"].pk}"' in html
    assert "Correction" in html
    assert "Update" in html
    # In the site's one date style (articles.templatetags.newsroom.timetag).
    shown = dateformat.format(timezone.localtime(notes["new"].created_at), DATE_STYLE)
    assert f">{shown}</time>" in html


def test_the_record_is_renewed_by_a_new_note_and_by_a_story_taken_down(client, notes):
    assert client.get("/corrections/")["X-Page-Cache"] == "miss"
    assert client.get("/corrections/")["X-Page-Cache"].startswith("hit")
    notes["budget"].notes.create(text="The minister's title was wrong.")
    response = client.get("/corrections/")
    assert response["X-Page-Cache"] == "miss"
    assert "The minister's title was wrong." in unescape(response.text)
    harbour = notes["harbour"]
    harbour.move_to(Article.Status.UNPUBLISHED)
    html = unescape(client.get("/corrections/").text)
    assert notes["new"].text not in html
    assert notes["update"].text in html


@pytest.mark.parametrize("url", ["/corrections/feed/", "/corrections/feed/atom/"])
def test_the_feeds_carry_the_record(client, notes, url):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    titles = [entry.title for entry in parsed.entries]
    assert titles == [
        "Correction: Harbour reopens",
        "Update: Budget passes",
        "Correction: Harbour reopens",
    ]
    first = parsed.entries[0]
    assert first.link == f"{BASE}/news/harbour-reopens/#note-{notes['new'].pk}"
    assert notes["new"].text in first.summary
    published = dt.datetime(*first.published_parsed[:6], tzinfo=dt.UTC)
    assert abs(published - notes["new"].created_at) < dt.timedelta(seconds=1)
    assert len({entry.id for entry in parsed.entries}) == 3


def test_a_note_reaches_feed_readers_as_text(client):
    """A note is plain text; RSS's description and Atom's summary type="html" are read as
    HTML, so markup typed into a note is escaped there, not run."""
    typed = "The photo <img src=x onerror=alert(1)> was wrong & is replaced."
    make_article().notes.create(kind=Note.Kind.CORRECTION, text=typed)
    for url, path in (
        ("/corrections/feed/", "channel/item/description"),
        ("/corrections/feed/atom/", "a:entry/a:summary"),
    ):
        root = etree.fromstring(client.get(url).content)
        (element,) = root.xpath(path, namespaces={"a": "http://www.w3.org/2005/Atom"})
        fragment = lxml.html.fragment_fromstring(element.text, create_parent="div")
        assert len(fragment) == 0, f"{url}: markup in {element.text!r}"
        assert fragment.text_content() == typed, url


def test_the_record_pages_and_refuses_a_page_past_the_end(client, notes, settings):
    settings.LIST_PAGE_SIZE = 2
    first = client.get("/corrections/").text
    assert first.count('class="correction"') == 2
    assert 'rel="next"' in first
    second = client.get("/corrections/?page=2").text
    assert second.count('class="correction"') == 1
    assert client.get("/corrections/?page=3").status_code == 404


def test_a_corrected_story_carries_its_corrections_in_news_article(client, notes):
    url = "/news/harbour-reopens/"
    data = extruct.extract(client.get(url).text, base_url=BASE + url, syntaxes=["json-ld"])
    (article,) = [item for item in data["json-ld"] if item["@type"] == "NewsArticle"]
    corrections = article["correction"]
    assert [c["@type"] for c in corrections] == ["CorrectionComment", "CorrectionComment"]
    assert [c["text"] for c in corrections] == [notes["old"].text, notes["new"].text]
    for comment, note in zip(corrections, [notes["old"], notes["new"]], strict=True):
        assert dt.datetime.fromisoformat(comment["datePublished"]) == note.created_at.replace(
            microsecond=0
        )
        assert comment["url"] == f"{BASE}{url}#note-{note.pk}"


def test_an_update_note_is_not_a_correction(client, notes):
    url = "/news/budget-passes/"
    data = extruct.extract(client.get(url).text, base_url=BASE + url, syntaxes=["json-ld"])
    (article,) = [item for item in data["json-ld"] if item["@type"] == "NewsArticle"]
    assert "correction" not in article
