import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Author
from tests.factories import make_article, make_author, make_image

pytestmark = pytest.mark.django_db


def test_published_queryset_is_published_and_due():
    now = timezone.now()
    visible = make_article(published_at=now - dt.timedelta(minutes=1))
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=now + dt.timedelta(hours=2))  # scheduled
    make_article(status=Article.Status.DRAFT, published_at=now - dt.timedelta(days=1))
    assert list(Article.objects.published()) == [visible]


def test_published_story_needs_published_time_in_the_database():
    article = make_article(status=Article.Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)


def test_published_story_needs_published_time_in_validation():
    article = Article(headline="No time", slug="no-time", status=Article.Status.PUBLISHED)
    with pytest.raises(ValidationError, match="A published story needs a published time"):
        article.full_clean()


def test_updated_time_cannot_precede_published_time():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(published_at=now, updated_at=now - dt.timedelta(hours=1))


def test_slug_is_unique_in_the_database():
    make_article(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(slug="same")


def test_slug_is_derived_from_the_headline_and_kept_unique():
    first = make_article(headline="Rain returns to the Negev", slug="")
    second = make_article(headline="Rain returns to the Negev!", slug="")
    assert first.slug == "rain-returns-to-the-negev"
    assert second.slug == "rain-returns-to-the-negev-2"


def test_edited_slug_is_kept():
    article = make_article(headline="A headline", slug="chosen-by-the-desk")
    article.headline = "A new headline"
    article.save()
    article.refresh_from_db()
    assert article.slug == "chosen-by-the-desk"


def test_body_is_sanitised_on_every_save():
    article = make_article(body='<p onclick="steal()">Hi</p><script>alert(1)</script>')
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"
    Article.objects.filter(pk=article.pk).update(body="<p>ok</p><style>p{}</style>")
    article.refresh_from_db()
    article.save()
    article.refresh_from_db()
    assert article.body == "<p>ok</p>"


def test_byline_keeps_author_order():
    first, second, third = make_author(name="C"), make_author(name="A"), make_author(name="B")
    article = make_article(authors=[first, second, third])
    assert [a.name for a in article.byline] == ["C", "A", "B"]


def test_author_kind_maps_to_schema_type():
    staff = make_author(name="All Israel News Staff", kind=Author.Kind.ORGANISATION)
    person = make_author(name="Dana Levi")
    assert staff.schema_type == "Organization"
    assert person.schema_type == "Person"


def test_updated_shown_only_after_publication():
    now = timezone.now() - dt.timedelta(hours=3)
    assert not make_article(published_at=now).show_updated
    assert not make_article(published_at=now, updated_at=now).show_updated
    later = make_article(published_at=now, updated_at=now + dt.timedelta(hours=1))
    assert later.show_updated
    assert later.modified == now + dt.timedelta(hours=1)


def test_reading_time_counts_body_words():
    words = " ".join(["word"] * 700)
    assert make_article(body=f"<p>{words}</p>").reading_minutes == 4
    assert make_article(body="<p>short</p>").reading_minutes == 1


def test_summary_prefers_description_then_dek_then_body():
    assert make_article(description="D", dek="K").summary == "D"
    assert make_article(description="", dek="K").summary == "K"
    assert make_article(description="", dek="", body="<p>Body text</p>").summary == "Body text"


def test_image_stores_size_and_renditions_no_wider_than_the_original(settings):
    settings.IMAGE_RENDITION_WIDTHS = (480, 800, 1200, 1600)
    image = make_image(width=1000, height=500)
    assert (image.width, image.height) == (1000, 500)
    assert sorted(map(int, image.renditions["webp"])) == [480, 800, 1000]
    assert sorted(map(int, image.renditions["jpg"])) == [480, 800, 1000]
    storage = image.file.storage
    for names in image.renditions.values():
        for name in names.values():
            assert storage.exists(name)
    candidates = [entry.split() for entry in image.webp_srcset.split(", ")]
    assert [descriptor for _url, descriptor in candidates] == ["480w", "800w", "1000w"]
    assert all(url.endswith(".webp") for url, _descriptor in candidates)


def test_image_without_renditions_falls_back_to_the_original():
    image = make_image()
    image.renditions = {}
    assert image.fallback_url == image.file.url
    assert image.webp_srcset == ""
