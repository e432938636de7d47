"""What an article page shows of its story, read in one query.

The story comes with its section and lead image, and its bylines (authors and their photos),
tags, correction notes and related stories come in the same row as JSON arrays the database builds
(``jsonb_agg`` on PostgreSQL, ``json_group_array`` on SQLite), instead of one query each: the
article page is what every reader gets while the cache is down, so its queries are few and
none grows with the story's authors, tags or notes.
"""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db.models import Aggregate, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Article, ArticleAuthor, Author, Image, Note, RelatedStory, Section, Tag


class JSONRows(Aggregate):
    """The rows of a group as one JSON array."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def _rows(queryset, **fields) -> Subquery:
    """The rows of ``queryset`` (related to the outer story) as a JSON array of objects."""
    grouped = queryset.filter(article=OuterRef("pk")).order_by().values("article")
    return Subquery(
        grouped.annotate(rows=JSONRows(JSONObject(**fields))).values("rows"),
        output_field=JSONField(),
    )


def _aware(value: str) -> dt.datetime:
    moment = parse_datetime(value)
    # SQLite writes UTC without an offset; PostgreSQL writes the offset.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _json(value) -> dict:
    """A JSON column inside the rows: already a dict (PostgreSQL), or its text (SQLite)."""
    if isinstance(value, str):
        return json.loads(value)
    return value or {}


@dataclass
class StoryPage:
    article: Article
    authors: list[Author]
    tags: list[Tag]
    notes: list[Note]
    related: list[Article] = field(default_factory=list)

    def __str__(self) -> str:  # what a part's key holds of it
        return f"story:{self.article.pk}"

    @classmethod
    def of(cls, article: Article) -> "StoryPage":
        """From a story read with its relations prefetched (``views.story_queryset``)."""
        related = [
            row.related
            for row in RelatedStory.objects.filter(
                article=article,
                related__status=Article.Status.PUBLISHED,
                related__published_at__lte=timezone.now(),
            ).select_related("related__section")
        ]
        notes = list(article.notes.all())
        return cls(article, article.byline, list(article.tags.all()), notes, related)


def read(queryset, slug: str) -> StoryPage | None:
    """The story at ``slug`` in ``queryset`` (``Article.objects.published()``), in one query."""
    article = (
        queryset.filter(slug=slug)
        .select_related("section", "lead_image")
        .annotate(
            byline_rows=_rows(
                ArticleAuthor.objects,
                position="position",
                entry="id",
                id="author_id",
                name="author__name",
                slug="author__slug",
                kind="author__kind",
                bio="author__bio",
                photo_id="author__photo_id",
                photo_file="author__photo__file",
                photo_width="author__photo__width",
                photo_height="author__photo__height",
                photo_renditions="author__photo__renditions",
            ),
            tag_rows=_rows(
                Article.tags.through.objects, id="tag_id", name="tag__name", slug="tag__slug"
            ),
            note_rows=_rows(
                Note.objects, id="id", kind="kind", text="text", created_at="created_at"
            ),
            # "Related stories", chosen beforehand (articles.related); those still public.
            related_json=_rows(
                RelatedStory.objects.filter(
                    related__status=Article.Status.PUBLISHED,
                    related__published_at__lte=timezone.now(),
                ),
                position="position",
                id="related_id",
                headline="related__headline",
                slug="related__slug",
                language="related__language",
                published_at="related__published_at",
                section_id="related__section_id",
                section_name="related__section__name",
                section_slug="related__section__slug",
            ),
        )
        .first()
    )
    if article is None:
        return None
    db = queryset.db
    authors = []
    for row in sorted(article.byline_rows or (), key=lambda r: (r["position"], r["entry"])):
        author = Author.from_db(
            db,
            ["id", "name", "slug", "kind", "bio", "photo_id"],
            [row["id"], row["name"], row["slug"], row["kind"], row["bio"], row["photo_id"]],
        )
        if row["photo_id"] is not None:
            author.photo = Image.from_db(
                db,
                ["id", "file", "width", "height", "renditions"],
                [
                    row["photo_id"],
                    row["photo_file"],
                    row["photo_width"],
                    row["photo_height"],
                    _json(row["photo_renditions"]),
                ],
            )
        authors.append(author)
    tags = [
        Tag.from_db(db, ["id", "name", "slug"], [row["id"], row["name"], row["slug"]])
        for row in sorted(article.tag_rows or (), key=lambda r: r["name"])
    ]
    notes = sorted(
        (
            Note.from_db(
                db,
                ["id", "article_id", "kind", "text", "created_at"],
                [row["id"], article.pk, row["kind"], row["text"], _aware(row["created_at"])],
            )
            for row in article.note_rows or ()
        ),
        key=lambda note: (note.created_at, note.pk),
    )
    related = []
    for row in sorted(article.related_json or (), key=lambda r: r["position"]):
        story = Article.from_db(
            db,
            # In the model's field order, as from_db takes them.
            ["id", "headline", "slug", "lead_image_id", "section_id", "language", "published_at"],
            [
                row["id"],
                row["headline"],
                row["slug"],
                None,  # a text list: no thumbnail, and no query for one
                row["section_id"],
                row["language"],  # its headline's lang and dir in the list
                _aware(row["published_at"]),
            ],
        )
        if row["section_id"] is not None:
            story.section = Section.from_db(
                db,
                ["id", "name", "slug"],
                [row["section_id"], row["section_name"], row["section_slug"]],
            )
        related.append(story)
    return StoryPage(article, authors, tags, notes, related)
