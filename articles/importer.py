"""Import stories from Markdown files with YAML front matter (the Jekyll/Hugo format).

``read_story()`` parses and validates one file without writing anything; ``import_story()``
writes it in one transaction. Every problem is a ``StoryFileError`` naming the file and the
reason, so one bad file never stops the others.
"""

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import yaml
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_slug
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from . import images
from .models import Article, ArticleAuthor, Author, Image, Section, Tag
from .sanitize import clean_html

ALLOWED_KEYS = {
    "title",
    "slug",
    "dek",
    "section",
    "authors",
    "published",
    "updated",
    "status",
    "image",
    "image_alt",
    "image_caption",
    "image_credit",
    "tags",
    "description",
    "featured",
}
AUTHOR_KEYS = {"name", "bio", "slug"}
# Article fields the importer fills, and the front-matter key that fills each (for messages).
ARTICLE_KEYS = {
    "headline": "title",
    "slug": "slug",
    "dek": "dek",
    "description": "description",
    "body": "body",
    "status": "status",
    "published_at": "published",
    "updated_at": "updated",
    "featured": "featured",
}
MARKDOWN_EXTENSIONS = ["sane_lists", "smarty"]


class StoryFileError(Exception):
    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class AuthorEntry:
    name: str
    slug: str
    bio: str = ""


@dataclass
class Story:
    """A story file, parsed and validated, ready to write."""

    path: Path
    title: str
    slug: str
    body_html: str
    status: str
    dek: str = ""
    description: str = ""
    section: str = ""
    authors: list[AuthorEntry] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    featured: bool = False
    image: Path | None = None
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""


def story_paths(paths) -> list[Path]:
    """The files named, with every ``*.md`` inside each directory named, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found.extend(sorted(path.glob("*.md")) if path.is_dir() else [path])
    return found


def _split_front_matter(path: Path, text: str) -> tuple[str, str]:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise StoryFileError(path, "no YAML front matter: the file must start with a '---' line")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in {"---", "..."}:
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise StoryFileError(path, "the YAML front matter is not closed by a '---' line")


def _text(path: Path, meta: dict, key: str, *, required: bool = False) -> str:
    value = meta.get(key)
    if value is None:
        if required:
            raise StoryFileError(path, f"'{key}' is required")
        return ""
    if isinstance(value, (dict, list)):
        raise StoryFileError(path, f"'{key}' must be text, not a {type(value).__name__}")
    value = str(value).strip()
    if required and not value:
        raise StoryFileError(path, f"'{key}' is required and cannot be empty")
    return value


def _datetime(path: Path, meta: dict, key: str) -> dt.datetime | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        raise StoryFileError(
            path, f"'{key}' has a date but no time: give e.g. {value}T09:00:00+02:00"
        )
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise StoryFileError(
                path, f"'{key}' is not an ISO 8601 time: {value!r} (e.g. 2026-11-20T09:30:00+02:00)"
            ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise StoryFileError(path, f"'{key}' needs a UTC offset, e.g. {moment.isoformat()}+02:00")
    return moment


def _string_list(path: Path, meta: dict, key: str) -> list:
    value = meta.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise StoryFileError(path, f"'{key}' must be a list")
    return value


def _authors(path: Path, meta: dict) -> list[AuthorEntry]:
    entries: list[AuthorEntry] = []
    for item in _string_list(path, meta, "authors"):
        if isinstance(item, str) and item.strip():
            entries.append(AuthorEntry(name=item.strip(), slug=slugify(item)))
        elif isinstance(item, dict):
            unknown = set(item) - AUTHOR_KEYS
            if unknown:
                raise StoryFileError(
                    path, f"unknown author key {sorted(unknown)[0]!r} (allowed: name, bio, slug)"
                )
            name = str(item.get("name") or "").strip()
            if not name:
                raise StoryFileError(path, "an author needs a 'name'")
            slug = str(item.get("slug") or slugify(name)).strip()
            try:
                validate_slug(slug)
            except ValidationError:
                raise StoryFileError(path, f"author slug {slug!r} is not a valid slug") from None
            entries.append(
                AuthorEntry(name=name, slug=slug, bio=str(item.get("bio") or "").strip())
            )
        else:
            raise StoryFileError(path, f"an author must be a name or a mapping, not {item!r}")
    slugs = [entry.slug for entry in entries]
    if len(slugs) != len(set(slugs)):
        raise StoryFileError(path, "the same author is listed twice")
    return entries


def read_story(path: Path) -> Story:
    """Parse and validate one story file; raise StoryFileError on the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoryFileError(path, f"cannot read the file: {exc}") from exc
    front, body = _split_front_matter(path, text)
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as exc:
        raise StoryFileError(path, f"the YAML front matter is not valid: {exc}") from exc
    except ValueError as exc:  # an impossible date such as 2026-13-45 (PyYAML builds it)
        raise StoryFileError(path, f"the YAML front matter has an impossible date: {exc}") from exc
    if not isinstance(meta, dict):
        raise StoryFileError(path, "the YAML front matter must be a mapping of keys to values")

    unknown = sorted(str(key) for key in meta if key not in ALLOWED_KEYS)
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, ALLOWED_KEYS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise StoryFileError(path, f"unknown key '{key}'{hint}")

    title = _text(path, meta, "title", required=True)
    slug = _text(path, meta, "slug") or slugify(title)
    if not slug:
        raise StoryFileError(path, "no slug can be made from the title: add a 'slug'")
    try:
        validate_slug(slug)
    except ValidationError:
        raise StoryFileError(path, f"slug {slug!r} is not a valid slug") from None

    status = _text(path, meta, "status") or Article.Status.DRAFT
    if status not in Article.Status.values:
        raise StoryFileError(path, f"status must be 'draft' or 'published', not {status!r}")
    published = _datetime(path, meta, "published")
    updated = _datetime(path, meta, "updated")
    if status == Article.Status.PUBLISHED and published is None:
        raise StoryFileError(path, "a published story needs a 'published' time")
    if updated and published and updated < published:
        raise StoryFileError(path, "'updated' is earlier than 'published'")

    featured = meta.get("featured", False)
    if not isinstance(featured, bool):
        raise StoryFileError(path, "'featured' must be true or false")

    tags = []
    for name in _string_list(path, meta, "tags"):
        if not isinstance(name, (str, int)) or not slugify(str(name)):
            raise StoryFileError(path, f"tag {name!r} is not a usable name")
        tags.append(str(name).strip())

    image = None
    if meta.get("image"):
        image = (path.parent / _text(path, meta, "image")).resolve()
        if not image.is_file():
            raise StoryFileError(path, f"image file not found: {image}")
        try:
            with image.open("rb") as handle:
                images.normalise(File(handle))
        except ValidationError as exc:
            raise StoryFileError(path, f"image {image.name}: {' '.join(exc.messages)}") from exc

    story = Story(
        path=path,
        title=title,
        slug=slug,
        body_html=clean_html(markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS)),
        status=status,
        dek=_text(path, meta, "dek"),
        description=_text(path, meta, "description"),
        section=_text(path, meta, "section"),
        authors=_authors(path, meta),
        tags=list(dict.fromkeys(tags)),
        published=published,
        updated=updated,
        featured=featured,
        image=image,
        image_alt=_text(path, meta, "image_alt"),
        image_caption=_text(path, meta, "image_caption"),
        image_credit=_text(path, meta, "image_credit"),
    )
    _validate_fields(story)
    return story


def _article_values(story: Story) -> dict:
    return {
        "headline": story.title,
        "dek": story.dek,
        "description": story.description,
        "body": story.body_html,
        "status": story.status,
        "published_at": story.published,
        "updated_at": story.updated,
        "featured": story.featured,
    }


def _check(path: Path, instance, keys: dict[str, str]) -> None:
    """Validate the fields of a row the story would write; ``keys`` maps each field checked
    to the front-matter key that fills it, for the message."""
    exclude = [f.name for f in instance._meta.get_fields() if f.name not in keys]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        problems = "; ".join(
            f"{keys.get(name, 'story')}: {' '.join(messages)}"
            for name, messages in exc.message_dict.items()
        )
        raise StoryFileError(path, problems) from exc


def _validate_fields(story: Story) -> None:
    """Field lengths and constraints of every row the story writes, checked before any is,
    so that a dry run finds them too."""
    path = story.path
    _check(path, Article(slug=story.slug, **_article_values(story)), ARTICLE_KEYS)
    if story.section:
        if not slugify(story.section):
            raise StoryFileError(path, f"section {story.section!r} has no letters or digits")
        section = Section(name=story.section, slug=slugify(story.section))
        _check(path, section, {"name": "section", "slug": "section"})
    for entry in story.authors:
        author = Author(name=entry.name, slug=entry.slug)
        _check(path, author, {"name": "author name", "slug": "author slug"})
    for name in story.tags:
        _check(path, Tag(name=name, slug=slugify(name)), {"name": "tag", "slug": "tag"})
    if story.image:
        image = Image(
            alt_text=story.image_alt, caption=story.image_caption, credit=story.image_credit
        )
        keys = {"alt_text": "image_alt", "caption": "image_caption", "credit": "image_credit"}
        _check(path, image, keys)


def _named(model, name: str):
    """The section or tag with this name (or, failing that, its slug), created if missing."""
    slug = slugify(name)
    found = model.objects.filter(name=name).first() or model.objects.filter(slug=slug).first()
    return found or model.objects.create(name=name, slug=slug)


def _section(name: str) -> Section | None:
    return _named(Section, name) if name else None


def _author(entry: AuthorEntry) -> Author:
    author, created = Author.objects.get_or_create(
        slug=entry.slug, defaults={"name": entry.name, "bio": entry.bio}
    )
    if not created and entry.bio and not author.bio:
        author.bio = entry.bio
        author.save(update_fields=["bio"])
    return author


def _image(story: Story, new_files: list[str]) -> tuple[Image | None, bool]:
    """The lead image, stored once per distinct file, and whether its texts changed."""
    if story.image is None:
        return None, False
    with story.image.open("rb") as handle:
        source = File(handle, name=story.image.name)
        image = Image.objects.filter(source_sha256=images.digest(source)).first()
        if image is None:
            image = Image(file=source)
            image.alt_text, image.caption, image.credit = (
                story.image_alt,
                story.image_caption,
                story.image_credit,
            )
            image.save()
            new_files.append(image.file.name)
            new_files.extend(
                name for copies in image.renditions.values() for name in copies.values()
            )
            return image, False
    wanted = {
        "alt_text": story.image_alt,
        "caption": story.image_caption,
        "credit": story.image_credit,
    }
    if any(getattr(image, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(image, name, value)
        image.save(update_fields=list(wanted))
        return image, True
    return image, False


def _write(story: Story, new_files: list[str]) -> str:
    section = _section(story.section)
    authors = [_author(entry) for entry in story.authors]
    tags = [_named(Tag, name) for name in story.tags]
    lead_image, image_changed = _image(story, new_files)

    values = {**_article_values(story), "section": section, "lead_image": lead_image}
    article = Article.objects.filter(slug=story.slug).first()
    if article is None:
        article = Article(slug=story.slug, **values)
        outcome = "created"
    else:
        changed = {name: value for name, value in values.items() if getattr(article, name) != value}
        for name, value in changed.items():
            setattr(article, name, value)
        outcome = "updated" if changed or image_changed else "unchanged"
    if outcome != "unchanged":
        article.full_clean()
        article.save()

    if [b.author_id for b in article.bylines.all()] != [a.pk for a in authors]:
        article.bylines.all().delete()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author=author, position=index)
            for index, author in enumerate(authors)
        )
        outcome = "updated" if outcome == "unchanged" else outcome
    if {t.pk for t in article.tags.all()} != {t.pk for t in tags}:
        article.tags.set(tags)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def import_story(story: Story) -> str:
    """Write one validated story in its own transaction: 'created', 'updated' or 'unchanged'.

    On failure nothing of the file stays: the transaction rolls back and any image file this
    import stored is deleted again.
    """
    new_files: list[str] = []
    try:
        with transaction.atomic():
            return _write(story, new_files)
    except ValidationError as exc:
        _delete_files(new_files)
        raise StoryFileError(story.path, "; ".join(exc.messages)) from exc
    except DatabaseError as exc:  # e.g. a row another editor saved meanwhile
        _delete_files(new_files)
        raise StoryFileError(story.path, f"the database refused the story: {exc}") from exc
    except Exception:
        _delete_files(new_files)
        raise


def _delete_files(names: list[str]) -> None:
    storage = Image._meta.get_field("file").storage
    for name in names:
        storage.delete(name)
