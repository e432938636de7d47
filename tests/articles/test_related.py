"""Related stories: chosen by shared tags, section and text, newer preferred, never the story
itself, with editors' pins and exclusions; computed when stories are published or changed,
and read with the story (the article's query count does not grow)."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.utils import timezone

from articles import popular, related
from articles.models import Article, RelatedStory
from tests.factories import make_article, make_section, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    now = timezone.now()
    water = make_tag(name="Water", slug="water")
    energy = make_tag(name="Energy", slug="energy")
    science = make_section(name="Science", slug="science")
    politics = make_section(name="Politics", slug="politics")

    def story(headline, *, tags=(), section=None, days=1, **fields):
        return make_article(
            headline=headline,
            dek=fields.pop("dek", ""),
            tags=tags,
            section=section,
            published_at=now - dt.timedelta(days=days),
            **fields,
        )

    return {
        "main": story(
            "Desalination plant doubles its output", tags=[water, energy], section=science
        ),
        "twin": story("Second desalination plant planned", tags=[water, energy], section=science),
        "tag": story("Drought eases in the north", tags=[water], section=politics),
        "old_twin": story(
            "Desalination plant opens", tags=[water, energy], section=science, days=400
        ),
        "section": story("Telescope finds a new comet", section=science),
        "text": story("Output of desalination rises", section=politics, days=2),
        "unrelated": story("Football final tonight", section=politics),
        "draft": story("Draft desalination plant notes", tags=[water], status=Article.Status.DRAFT),
    }


def test_related_are_chosen_by_tags_section_and_text_newest_preferred(newsroom):
    ids = related.compute(newsroom["main"], neighbours=False)
    names = {v.pk: k for k, v in newsroom.items()}
    chosen = [names[pk] for pk in ids]
    assert len(chosen) == 4
    assert chosen[0] == "twin"
    assert "main" not in chosen
    assert "draft" not in chosen
    assert "unrelated" not in chosen
    if "old_twin" in chosen:  # as alike as the twin, but a year older
        assert chosen.index("twin") < chosen.index("old_twin")
    assert {"tag", "text"} <= set(chosen) or {"tag", "section"} <= set(chosen)


def test_pins_come_first_and_exclusions_never(newsroom):
    main = newsroom["main"]
    main.related_pinned.add(newsroom["unrelated"])
    main.related_excluded.add(newsroom["twin"])
    ids = related.compute(main, neighbours=False)
    assert ids[0] == newsroom["unrelated"].pk
    assert newsroom["twin"].pk not in ids
    assert len(ids) == 4


def test_publishing_computes_the_list_and_the_neighbours_lists(
    newsroom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = make_article(
            headline="Desalination plant breaks a record",
            tags=list(newsroom["main"].tags.all()),
            section=newsroom["main"].section,
        )
    ids = list(fresh.related_rows.values_list("related_id", flat=True))
    assert newsroom["main"].pk in ids
    # The new story joined its neighbours' lists.
    assert fresh.pk in set(newsroom["main"].related_rows.values_list("related_id", flat=True))


def test_the_article_shows_them_without_a_query_more(client, newsroom, django_assert_num_queries):
    main = newsroom["main"]
    related.compute(main, neighbours=False)
    popular.rank(7)
    for cache in caches.all():
        cache.clear()
    # The shared three, the story (with its related stories), Popular, Latest.
    with django_assert_num_queries(3 + 3):
        html = client.get(main.get_absolute_url()).text
    start = html.index('id="related-title"')
    section = html[start : html.index("</section>", start)]
    assert "Second desalination plant planned" in section
    assert section.count("<li>") == 4


def test_a_related_story_taken_down_leaves_the_list_at_once(client, newsroom):
    main = newsroom["main"]
    related.compute(main, neighbours=False)
    url = main.get_absolute_url()
    assert "Second desalination plant planned" in client.get(url).text
    newsroom["twin"].move_to(Article.Status.UNPUBLISHED)
    html = client.get(url).text
    assert "Second desalination plant planned" not in html


def test_a_renamed_related_story_renews_the_page(client, newsroom):
    main = newsroom["main"]
    related.compute(main, neighbours=False)
    url = main.get_absolute_url()
    client.get(url)
    twin = newsroom["twin"]
    twin.headline = "Second plant approved"
    twin.save()
    assert "Second plant approved" in client.get(url).text


def test_a_story_is_never_related_to_itself_even_when_pinned(newsroom):
    main = newsroom["main"]
    main.related_pinned.add(main)
    assert main.pk not in related.compute(main, neighbours=False)
    assert not RelatedStory.objects.filter(article=main, related=main).exists()
