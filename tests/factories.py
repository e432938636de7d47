"""Tiny factories: plain functions that make valid objects with overridable fields."""

import datetime as dt
import io
import itertools

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import Article, ArticleAuthor, Author, Image, Section, Tag
from tests.helpers import PASSWORD

_seq = itertools.count(1)
# The default age of a published story: an hour, plus a minute per story made before it in the
# same test, so a test's stories come newest first in the order it made them. Counted per test
# (tests/conftest.py resets it), never per session: a session-wide count had stories a day old
# by the end of the suite, outside every window a test of "recent" stories relies on.
_age = itertools.count(0)


def reset_ages() -> None:
    """Start the default ages again at one hour (done before each test)."""
    global _age
    _age = itertools.count(0)


def jpeg_bytes(width=1600, height=1000, color=(30, 90, 160), exif=None) -> bytes:
    buffer = io.BytesIO()
    picture = PILImage.new("RGB", (width, height), color)
    picture.save(buffer, "JPEG", quality=80, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def make_image(**fields) -> Image:
    n = next(_seq)
    data = fields.pop("data", None) or jpeg_bytes(
        fields.pop("width", 1600), fields.pop("height", 1000), color=(n % 255, 90, 160)
    )
    fields.setdefault("alt_text", f"Picture {n}")
    fields.setdefault("caption", f"Caption {n}")
    fields.setdefault("credit", "Photo: Tests")
    image = Image(file=SimpleUploadedFile(f"picture-{n}.jpg", data, "image/jpeg"), **fields)
    image.save()
    return image


def make_section(**fields) -> Section:
    n = next(_seq)
    fields.setdefault("name", f"Section {n}")
    fields.setdefault("slug", f"section-{n}")
    return Section.objects.create(**fields)


def make_author(**fields) -> Author:
    n = next(_seq)
    fields.setdefault("name", f"Reporter {n}")
    fields.setdefault("slug", f"reporter-{n}")
    fields.setdefault("bio", f"Reporter {n} covers the news.")
    return Author.objects.create(**fields)


def make_tag(**fields) -> Tag:
    n = next(_seq)
    fields.setdefault("name", f"Tag {n}")
    fields.setdefault("slug", f"tag-{n}")
    return Tag.objects.create(**fields)


def make_article(*, authors=(), tags=(), **fields) -> Article:
    """A published story an hour old (a minute older per story made before it in the test),
    unless the fields say otherwise."""
    n = next(_seq)
    fields.setdefault("headline", f"Story number {n}")
    fields.setdefault("slug", f"story-{n}")
    fields.setdefault("dek", f"The second point of story {n}.")
    fields.setdefault("body", f"<p>Body of story {n}.</p>")
    fields.setdefault("status", Article.Status.PUBLISHED)
    if fields["status"] == Article.Status.PUBLISHED and "published_at" not in fields:
        fields["published_at"] = timezone.now() - dt.timedelta(hours=1, minutes=next(_age))
    article = Article.objects.create(**fields)
    for position, author in enumerate(authors):
        ArticleAuthor.objects.create(article=article, author=author, position=position)
    article.tags.set(tags)
    return article


def make_story(**fields) -> Article:
    """The model story (PAGE.md): every part of the article page's anatomy filled in: a
    section, an organisational byline and a reporter's (with bios), a lead image with caption
    and credit, a body with a heading, a quote, a blockquote and a list, two tags, published
    five hours ago and updated since. Any field can be given instead."""
    published = fields.pop("published_at", timezone.now() - dt.timedelta(hours=5))
    if "section" not in fields:
        fields["section"] = make_section(name="All Israel", slug="all-israel")
    if "authors" not in fields:
        fields["authors"] = [
            make_author(
                name="All Israel News Staff",
                slug="all-israel-news-staff",
                kind=Author.Kind.ORGANISATION,
                bio="A team of journalists in Israel reporting on the news.",
            ),
            make_author(name="Dana Levi", slug="dana-levi", bio="Dana covers science."),
        ]
    if "lead_image" not in fields:
        fields["lead_image"] = make_image(
            alt_text="Pipes at the desalination plant",
            caption="The new hall, November 2026.",
            credit="Photo: Shutterstock",
        )
    if "tags" not in fields:
        fields["tags"] = [
            make_tag(name="Water", slug="water"),
            make_tag(name="Energy", slug="energy"),
        ]
    fields.setdefault("headline", "Desalination plant doubles its output")
    fields.setdefault("slug", "desalination-plant-doubles")
    fields.setdefault("dek", "The expansion supplies a fifth of the country's drinking water.")
    fields.setdefault(
        "body",
        "<p>The plant opened a second hall on Monday.</p>"
        "<h2>What changes</h2><p>Officials said the <q>water is cheaper</q>.</p>"
        "<blockquote><p>We planned this for ten years.</p></blockquote>"
        "<ul><li>More water</li></ul>",
    )
    fields.setdefault("updated_at", published + dt.timedelta(hours=2))
    return make_article(published_at=published, **fields)


def make_subscriber(**fields):
    """A subscriber in the given status, with the times that status requires."""
    from newsletter.models import Subscriber

    n = next(_seq)
    fields.setdefault("email", f"reader{n}@example.com")
    status = fields.setdefault("status", Subscriber.Status.CONFIRMED)
    now = timezone.now()
    if status == Subscriber.Status.CONFIRMED:
        fields.setdefault("confirmed_at", now)
    if status == Subscriber.Status.UNSUBSCRIBED:
        fields.setdefault("unsubscribed_at", now)
        fields.setdefault("left_by", Subscriber.LeftBy.LINK)
    return Subscriber.objects.create(**fields)


def make_user(role=None, **fields):
    """A user; ``role`` is "Writers" or "Editors" (a staff member in that group made by the
    migration), "superuser", or None for a reader with no admin access."""
    from django.contrib.auth.models import Group, User

    n = next(_seq)
    fields.setdefault("username", f"user{n}")
    fields.setdefault("email", f"user{n}@example.com")
    if role == "superuser":
        return User.objects.create_superuser(**fields)
    fields.setdefault("is_staff", role is not None)
    user = User.objects.create_user(**fields)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user):
    """A test client with ``user`` logged in (several users can act side by side)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def make_staff(username: str, group: str | None = None, **fields):
    """A staff member with the tests' password, in ``group`` (Writers, Editors) if given. The
    groups exist after migrations; a transactional test makes them with ``sync_groups``."""
    fields.setdefault("is_staff", True)
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user
