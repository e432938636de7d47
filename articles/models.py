import functools
import logging
import math
import re
import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from django_prose_editor.fields import ProseEditorField

from newsroom import page_cache

from . import embeds, images, rich_text
from .languages import language_direction, validate_language_tag
from .signals import renditions_wanted

WORDS_PER_MINUTE = 230

logger = logging.getLogger(__name__)


_SLUG = "0slug0"  # a stand-in slug, for the address templates below


@functools.lru_cache(maxsize=64)
def _address_template(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, kwargs={"slug": _SLUG})


def slug_url(name: str, slug: str) -> str:
    """``reverse(name, kwargs={"slug": slug})`` without walking the URLconf for every link:
    a page shows dozens of story, section and author links. The address is reversed once per
    route (and script prefix and URLconf), and the slug put in its place; slugs need no
    quoting."""
    template = _address_template(name, get_script_prefix(), settings.ROOT_URLCONF)
    return template.replace(_SLUG, slug, 1)


def unique_slug(model, text: str, *, exclude_pk=None, max_length: int = 200) -> str:
    """A slug from ``text`` that no other row of ``model`` has (``-2``, ``-3`` ... appended)."""
    base = slugify(text)[:max_length].strip("-") or "story"
    others = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    taken = set(others.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position in the site navigation; lower comes first."
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("articles:section", self.slug)


class Image(models.Model):
    file = models.ImageField(
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        validators=[images.validate_image_file],
        help_text="JPEG, PNG, WebP or GIF. Orientation is fixed and metadata removed on upload.",
    )
    alt_text = models.CharField(
        max_length=250,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text='e.g. "Photo: Shutterstock"')
    source_sha256 = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Digest of the file as received, so a re-import reuses the stored image.",
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    focal_x = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Horizontal focal point in percent (0 left, 100 right) for crops.",
    )
    focal_y = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Vertical focal point in percent (0 top, 100 bottom) for crops.",
    )
    renditions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Resized copies by format and width, filled once after upload.",
    )
    file_bytes = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Size in bytes of the original and of each copy, by storage name.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.caption or self.alt_text or self.file.name

    def save(self, *args, **kwargs):
        """Store a new file upright and without metadata; its renditions are made by a
        background task (``articles.tasks.make_renditions``, through ``renditions_wanted``).
        Saving without a new file leaves the renditions as they are, but for the ratio crops,
        which are cut again when the focal point moves."""
        new_file = bool(self.file) and not self.file._committed
        focal_moved = (
            not new_file
            and self.pk is not None
            and Image.objects.filter(pk=self.pk)
            .exclude(focal_x=self.focal_x, focal_y=self.focal_y)
            .exists()
        )
        if new_file:
            self.source_sha256 = images.digest(self.file)
            cleaned = images.normalise(self.file)
            stem = slugify(self.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0])[:40] or "image"
            # A random part nobody can guess: an original is found only through a page that
            # shows it, never by trying names (or dates) at /media/images/.
            name = f"{secrets.token_hex(16)}-{stem}.{cleaned.extension}"
            self.file.save(name, cleaned.content, save=False)
            self.width, self.height = cleaned.width, cleaned.height
            self.renditions = {}  # the old copies show the old picture: the original until new
            self.file_bytes = {self.file.name: cleaned.content.size}
            if kwargs.get("update_fields") is not None:
                fields = {"file", "source_sha256", "width", "height", "renditions", "file_bytes"}
                kwargs["update_fields"] = {*kwargs["update_fields"], *fields}
        super().save(*args, **kwargs)
        if new_file or focal_moved:
            renditions_wanted.send(sender=Image, instance=self)

    def clean(self):
        if (self.focal_x is None) != (self.focal_y is None):
            missing = "focal_y" if self.focal_y is None else "focal_x"
            raise ValidationError(
                {missing: "Give both focal point coordinates, or neither (the centre is used)."}
            )

    def make_renditions(self) -> bool:
        """Write the resized WebP and JPEG copies of the stored file and record their names
        in ``renditions``; the page reads them from there and never resizes during a request.

        Names are ``renditions/<pk>/<digest>-<width>w.<ext>``, the digest being of the stored
        file, so a name never points to other bytes and can be cached for good. Does nothing
        (returns False) when every copy of this file exists already. Copies of an earlier file
        of this image stay, like the earlier file itself: pages in caches and newsletters
        already sent still show them."""
        stored_name = self.file.name
        with self.file.open("rb") as source:
            data = source.read()
        digest = images.rendition_digest(data)
        folder = f"renditions/{self.pk}"
        storage = self.file.storage
        crop_prefix = f"{folder}/{digest}-f{self.focal_x or 50}x{self.focal_y or 50}-"
        if (
            self.renditions
            and self._renditions_complete(f"{folder}/{digest}-")
            and self._crops_complete(crop_prefix)
        ):
            return False
        made: dict[str, dict[str, str]] = {}
        sizes = {stored_name: len(data)}

        def store(name: str, content: bytes) -> str:
            if storage.exists(name):  # left by an earlier run; the same bytes by its name
                storage.delete(name)
            saved = storage.save(name, ContentFile(content))
            sizes[saved] = len(content)
            return saved

        for width, extension, content in images.renditions(data):
            name = f"{folder}/{digest}-{width}w.{extension}"
            made.setdefault(extension, {})[str(width)] = store(name, content)
        # The ratio crops depend on the focal point too, so their names carry it.
        focal = (self.focal_x or 50, self.focal_y or 50)
        for key, content in images.crops(data, focal):
            made.setdefault("crops", {})[key] = store(f"{crop_prefix}{key}.jpg", content)
        # Record them only if the image still has this file: a newer upload has its own task.
        # Pages take what exists from this record and never ask the storage.
        recorded = Image.objects.filter(pk=self.pk, file=stored_name)
        if not recorded.update(renditions=made, file_bytes=sizes):
            return False
        self.renditions, self.file_bytes = made, sizes
        # Pages showing the picture switch from the original to the copies, and the sitemaps
        # list the new address (update() sends no signal).
        page_cache.invalidate(f"image:{self.pk}", "list:all")
        return True

    def _renditions_complete(self, prefix: str) -> bool:
        """Whether ``renditions`` lists every copy of the stored file, all in storage."""
        widths = {str(width) for width in images.rendition_widths(self.width)}
        if any(
            set(self.renditions.get(extension, {})) != widths
            for extension in images.RENDITION_FORMATS
        ):
            return False
        names = [name for copies in self.renditions.values() for name in copies.values()]
        storage = self.file.storage
        return all(name.startswith(prefix) and storage.exists(name) for name in names)

    def _crops_complete(self, prefix: str) -> bool:
        crops = self.renditions.get("crops", {})
        storage = self.file.storage
        return set(crops) == set(images.CROP_RATIOS) and all(
            name.startswith(prefix) and storage.exists(name) for name in crops.values()
        )

    def crop_urls(self) -> list[str]:
        """URLs of the 16:9, 4:3 and 1:1 crops (none until the task made them)."""
        crops = self.renditions.get("crops", {})
        storage = self.file.storage
        return [storage.url(crops[key]) for key in images.CROP_RATIOS if key in crops]

    def srcset(self, extension: str) -> str:
        storage = self.file.storage
        copies = self.renditions.get(extension, {})
        return ", ".join(
            f"{storage.url(name)} {width}w"
            for width, name in sorted(copies.items(), key=lambda kv: int(kv[0]))
        )

    @property
    def webp_srcset(self) -> str:
        return self.srcset("webp")

    @property
    def jpeg_srcset(self) -> str:
        return self.srcset("jpg")

    @property
    def fallback_name(self) -> str:
        """The storage name of a mid-size JPEG copy for ``src`` (and OpenGraph, feeds), or the
        original's while none exists. What exists is known from ``renditions``: a page never
        asks the storage, so it costs the same on S3 as on local disk."""
        copies = self.renditions.get("jpg", {})
        if not copies:
            return self.file.name
        return copies[min(copies, key=lambda w: abs(int(w) - 1200))]

    @property
    def fallback_url(self) -> str:
        return self.file.storage.url(self.fallback_name)

    @property
    def object_position(self) -> str:
        """The focal point as a CSS ``object-position`` ("30% 70%"), or "" when none is set."""
        if self.focal_x is None or self.focal_y is None:
            return ""
        return f"{self.focal_x}% {self.focal_y}%"


class Author(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    bio = models.TextField(blank=True, help_text="One or two sentences shown under the story.")
    photo = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("articles:author", self.slug)

    @property
    def schema_type(self) -> str:
        return "Organization" if self.kind == self.Kind.ORGANISATION else "Person"


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("articles:tag", self.slug)


class ArticleQuerySet(models.QuerySet):
    """Public code reads stories through ``published()``, and a list of them through one of
    the methods below, which also tells the page cache which list a page shows: a story that
    joins, leaves or moves in that list (``articles.invalidation``) renews the page."""

    def published(self):
        """The only way public code reads stories: published, and their time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_cards(self):
        """What a story card needs (section, lead image) in the same query."""
        return self.select_related("section", "lead_image").defer("body")

    def newest(self):
        """The latest stories, as cards (the home page, "Latest Stories", the site's feeds)."""
        page_cache.depends_on("list:latest")
        return self.published().for_cards()

    def in_section(self, section):
        page_cache.depends_on(f"list:section:{section.pk}")
        return self.published().for_cards().filter(section=section)

    def by_author(self, author):
        page_cache.depends_on(f"list:author:{author.pk}")
        return self.published().for_cards().filter(authors=author)

    def tagged(self, tag):
        page_cache.depends_on(f"list:tag:{tag.pk}")
        return self.published().for_cards().filter(tags=tag)


# What ``save()`` and the page cache's invalidation compare with the row as it is stored.
TRACKED_FIELDS = ("status", "slug", "section_id", "published_at", "featured")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    headline = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, blank=True, help_text="The story's address; from the headline."
    )
    dek = models.CharField(
        "sub-headline",
        max_length=300,
        blank=True,
        help_text="One sentence under the headline that adds the second news point.",
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="Summary for search engines and social cards; the sub-headline if empty.",
    )
    seo_title = models.CharField(
        "SEO title",
        max_length=200,
        blank=True,
        help_text="The page title search engines show; the headline if empty.",
    )
    body = ProseEditorField(
        blank=True,
        help_text="HTML; cleaned to the newsroom's allowlist.",
        extensions=rich_text.BODY_EXTENSIONS,
        sanitize=rich_text.clean_body,
    )
    lead_image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_for"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    authors = models.ManyToManyField(
        Author, through="ArticleAuthor", related_name="articles", blank=True
    )
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    featured = models.BooleanField(
        "top story", default=False, help_text="Top stories lead the home page."
    )
    language = models.CharField(
        max_length=35,
        blank=True,
        validators=[validate_language_tag],
        help_text="Only for a story not in the site's language: its language tag, e.g. he or "
        "ar (right-to-left scripts are then shown right to left).",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "published", null=True, blank=True, help_text="A future time schedules the story."
    )
    updated_at = models.DateTimeField(
        "updated",
        null=True,
        blank=True,
        help_text='Shown to readers as "Updated" when the story changed after publication.',
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The writer whose story it is.",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_stories",
        help_text="Who is working on the story now.",
    )
    deadline = models.DateTimeField(null=True, blank=True, help_text="When the story is due.")
    live = models.BooleanField(
        "live coverage",
        default=False,
        help_text="A live story: updates are posted on it, newest first, above the body.",
    )
    live_ended_at = models.DateTimeField(
        "live coverage ended",
        null=True,
        blank=True,
        help_text='Set when the coverage ends: readers see "This live coverage has ended".',
    )
    related_pinned = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name="pinned related stories",
        help_text="Always shown first among the related stories.",
    )
    related_excluded = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name="excluded related stories",
        help_text="Never shown among the related stories.",
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="PostgreSQL full-text index of headline, dek, body and tags; kept on save.",
    )
    lock_version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Counts saves, so two editors cannot overwrite."
    )
    share_key = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Part of every share-preview link; a new key ends all links made before it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "story"
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_published_at",
                violation_error_message="A published story needs a published time.",
            ),
            models.CheckConstraint(
                condition=Q(updated_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(updated_at__gte=F("published_at")),
                name="article_updated_after_published",
                violation_error_message="The updated time cannot be before the published time.",
            ),
            models.CheckConstraint(
                condition=~Q(slug=""),
                name="article_slug_not_empty",
                violation_error_message="A story needs a slug.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            # The home page's top story and the "Popular Articles" fallback: top stories first.
            models.Index(
                fields=["status", "-featured", "-published_at"], name="article_featured_idx"
            ),
            # The admin: the story list, newest first over every state, and the desk's lists
            # of drafts and stories in review by when they last changed.
            models.Index(fields=["-published_at", "-id"], name="article_list_idx"),
            models.Index(fields=["status", "-modified_at"], name="article_desk_idx"),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and correct stories"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, by=None, before=None, **kwargs):
        """Save, recording who moved the story between states and keeping a published
        story's old address working. ``by`` is the user acting, when there is one; ``before``
        a copy of the story to judge this save against instead of ``stored`` (for a row that
        was changed without ``save()``, as restoring a revision does)."""
        self.body = rich_text.clean_body(self.body)
        self._fill_slug()
        if before is not None:
            self.stored.update({name: getattr(before, name) for name in TRACKED_FIELDS})
        loaded = dict(self.stored)
        self.lock_version += 1
        if by is not None:
            self.last_edited_by = by
            if self.owner_id is None:
                self.owner = by
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "lock_version", "modified_at"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if loaded.get("status", "") != self.status:
                Transition.objects.create(
                    article=self,
                    from_status=loaded.get("status", ""),
                    to_status=self.status,
                    by=by,
                    scheduled_for=self.published_at if self.is_scheduled else None,
                )
            self._keep_old_address(loaded)
        self.stored.update({name: getattr(self, name) for name in TRACKED_FIELDS})

    def get_absolute_url(self):
        return slug_url("articles:article", self.slug)

    @property
    def stored(self) -> dict:
        """The tracked fields (``TRACKED_FIELDS``) as the database holds them: as loaded, or
        as last saved; empty for a story never saved. Receivers of ``post_save`` read the row
        as it was before the save here (it is brought up to date once the save is done)."""
        return self.__dict__.setdefault("stored_fields", {})

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        article = super().from_db(db, field_names, values, *args, **kwargs)
        article.stored.update(
            {name: article.__dict__[name] for name in TRACKED_FIELDS if name in article.__dict__}
        )
        return article

    def clean(self):
        # A blank slug comes from the headline, before the constraints are checked.
        self._fill_slug()
        if self.status == self.Status.PUBLISHED:
            image = self.lead_image
            if image is not None and not image.alt_text.strip():
                raise ValidationError(
                    {
                        "lead_image": "The lead image has no alt text: add a description of "
                        "the picture for readers who cannot see it before publishing."
                    }
                )

    def _fill_slug(self):
        if not self.slug and self.headline:
            self.slug = unique_slug(Article, self.headline, exclude_pk=self.pk)

    def _keep_old_address(self, loaded):
        """A story that readers could reach at its old slug keeps answering there."""
        if self.status == self.Status.PUBLISHED:
            # Published here, the story reclaims the address; a draft or a story in review
            # taking it does not, so the old story's link keeps working until then.
            SlugRedirect.objects.filter(old_slug=self.slug).delete()
        old = loaded.get("slug")
        was_public = loaded.get("status") in (self.Status.PUBLISHED, self.Status.UNPUBLISHED)
        if old and old != self.slug and was_public:
            SlugRedirect.objects.update_or_create(old_slug=old, defaults={"article": self})

    def move_to(self, status: str, *, by=None) -> None:
        """Change state (an admin action or a workflow button), with the publishing rules:
        a story published now gets its published time now (a scheduled one too: its time is
        brought forward, not kept), and must pass validation."""
        now = timezone.now()
        if status == self.Status.PUBLISHED and (
            self.published_at is None or self.published_at > now
        ):
            self.published_at = now
        self.status = status
        self.full_clean()
        self.save(by=by)

    @property
    def is_scheduled(self) -> bool:
        """Published with a time still to come: readers see it when the clock gets there."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def live_open(self) -> bool:
        """A live story whose coverage goes on (updates may still come)."""
        return self.live and self.live_ended_at is None

    @property
    def summary(self) -> str:
        if self.description:
            return self.description
        if self.dek:
            return self.dek
        return Truncator(strip_tags(self.body)).words(30)

    @property
    def modified(self):
        """When readers last saw a change: the editorial update time, else publication."""
        return self.updated_at or self.published_at

    @property
    def show_updated(self) -> bool:
        return bool(self.updated_at and self.published_at and self.updated_at > self.published_at)

    @property
    def byline(self) -> list[Author]:
        """The authors in byline order (from prefetched ``bylines`` when a view prefetched them)."""
        return [entry.author for entry in self.bylines.all()]

    @property
    def text_direction(self) -> str:
        """ "rtl" for a story in a right-to-left language (Hebrew, Arabic ...), else "ltr"."""
        return language_direction(self.language)

    @property
    def reading_minutes(self) -> int:
        words = len(re.findall(r"\w+", strip_tags(self.body)))
        return max(1, math.ceil(words / WORDS_PER_MINUTE))


class ArticleAuthor(models.Model):
    """An author's place in a story's byline."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_author_once"),
        ]
        verbose_name = "byline"

    def __str__(self):
        return f"{self.author} on {self.article}"


class Transition(models.Model):
    """A story's move from one state to another: who, when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Article.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # Set when the move published the story for a time still to come (a schedule).
    scheduled_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.article}: {self.from_status or 'new'} to {self.to_status}"


class Note(models.Model):
    """A correction or update appended to a published story, shown at its foot."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.article}"


class StaffNote(models.Model):
    """A note between staff about a story (never shown to readers): a thread starts with a
    note without ``reply_to``, replies point at it, and the thread is resolved as a whole.
    An @username in the text mails that person (``articles.staff_notes``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="staff_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=5000)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_to__isnull=True) | Q(resolved_at__isnull=True),
                name="staff_note_reply_not_resolved",
                violation_error_message="A thread is resolved as a whole, not one reply.",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"], name="staff_note_open_idx")]

    def __str__(self):
        return f"Note on {self.article} by {self.author}"


class StoryAutosave(models.Model):
    """What one person was typing in one story, saved every few seconds by the form. The
    story itself is never touched: the text becomes the story only when they save it. A
    story not saved once is keyed by the ``draft_key`` its add form was given."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="autosaves"
    )
    draft_key = models.UUIDField(null=True, blank=True)
    fields = models.JSONField(default=dict)
    # The story's lock_version when the tab opened it, and how many autosaves this row has
    # had: a tab that knows an older count is stale and may not overwrite the newer text.
    base_version = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=Q(article__isnull=False),
                name="autosave_once_per_story",
            ),
            models.UniqueConstraint(
                fields=["user", "draft_key"],
                condition=Q(draft_key__isnull=False),
                name="autosave_once_per_new_story",
            ),
            models.CheckConstraint(
                condition=Q(article__isnull=True, draft_key__isnull=False)
                | Q(article__isnull=False, draft_key__isnull=True),
                name="autosave_story_or_draft_key",
                violation_error_message="An autosave belongs to a story or to a new story's key.",
            ),
        ]

    def __str__(self):
        return f"Autosave by {self.user} of {self.article or self.draft_key}"


class SlugRedirect(models.Model):
    """An address a published story used to have; it answers with a 301 to the story as it
    is now, so chains collapse (A, then B, then C: A goes straight to C)."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_slug} -> {self.article.slug}"


class DailyReads(models.Model):
    """How many times a story was read on one day: counted by the page's beacon, so reads
    age out day by day and "Popular Articles" covers the last few days."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="daily_reads")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "daily reads"
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="daily_reads_once_a_day"),
        ]
        indexes = [models.Index(fields=["day"], name="daily_reads_day_idx")]

    def __str__(self):
        return f"{self.article} on {self.day}: {self.count}"


class PopularStory(models.Model):
    """One place in the "Popular Articles" ranking (``articles.popular``): ranked at most
    every ``POPULAR_CACHE_SECONDS`` and kept here, so that reading it is one query on a table
    of a few rows, whether or not any cache is up."""

    position = models.PositiveSmallIntegerField(primary_key=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    reads = models.PositiveIntegerField(help_text="Reads in the window; 0 for a filler.")
    window_days = models.PositiveSmallIntegerField()
    ranked_at = models.DateTimeField()

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "popular stories"

    def __str__(self):
        return f"{self.position}. {self.article}"


# Breaking and live news ---------------------------------------------------------------------


def validate_link(value: str) -> None:
    """A banner's link: a path on this site ("/news/...") or an http(s) address."""
    if value.startswith("/") and not value.startswith("//"):
        return
    if re.match(r"https?://[^\s/]+", value):
        return
    raise ValidationError(
        'The link must be a path on this site (starting with "/") or an address starting '
        "with https:// or http://."
    )


class Banner(models.Model):
    """A short line over every public page ("Breaking: ..."), from its start until its end
    time, when it disappears by itself (``articles.banners``)."""

    class Level(models.TextChoices):
        BREAKING = "breaking", "Breaking"
        DEVELOPING = "developing", "Developing"
        LIVE = "live", "Live"

    text = models.CharField(
        max_length=160, help_text="One short line, as readers will see it after the level."
    )
    link = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_link],
        help_text='Where the banner leads: a path such as "/news/my-story/" or a full address.',
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.BREAKING)
    starts_at = models.DateTimeField("shown from", default=timezone.now)
    ends_at = models.DateTimeField("shown until", help_text="The banner disappears by itself then.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="banner_has_text",
                violation_error_message="A banner needs its text.",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="banner_ends_after_start",
                violation_error_message="A banner must end after it starts.",
            ),
        ]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="banner_shown_idx")]

    def __str__(self):
        return f"{self.get_level_display()}: {self.text}"

    def clean(self):
        self.text = self.text.strip()
        if not self.text:
            raise ValidationError({"text": "Write the banner's text: it cannot be empty."})
        if self.ends_at is not None:
            if self.ends_at <= timezone.now():
                raise ValidationError(
                    {"ends_at": "This end time has already passed: choose a time to come."}
                )
            if self.starts_at is not None and self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": "The end time must come after the start."})

    @property
    def is_shown(self) -> bool:
        now = timezone.now()
        return self.starts_at <= now < self.ends_at


class LiveUpdate(models.Model):
    """One entry of a live story: its own time, author, text (the body's rich text and
    sanitiser), an optional picture or embed, and its own address (``#update-<pk>``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_updates")
    published_at = models.DateTimeField("time", default=timezone.now)
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Optional; a key event is listed by it."
    )
    text = ProseEditorField(
        blank=True,
        extensions=rich_text.LIVE_UPDATE_EXTENSIONS,
        sanitize=rich_text.clean_body,
    )
    image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    embed_url = models.URLField(
        "embed",
        max_length=500,
        blank=True,
        help_text="A post or video address from an allowed site (YouTube, X, Instagram ...).",
    )
    pinned = models.BooleanField(default=False, help_text="Kept at the top of the live page.")
    key_event = models.BooleanField(default=False, help_text="Listed in the summary at the top.")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "-published_at", "-id"], name="live_update_page_idx"),
        ]

    def __str__(self):
        return self.title or Truncator(strip_tags(self.text)).words(8) or f"Update {self.pk}"

    def save(self, *args, **kwargs):
        self.text = rich_text.clean_body(self.text)
        super().save(*args, **kwargs)

    def clean(self):
        article = getattr(self, "article", None) if self.article_id else None
        if article is not None and not article.live:
            raise ValidationError(
                "This story is not live: mark it as live coverage before posting updates."
            )
        if article is not None and article.live_ended_at is not None and self._state.adding:
            raise ValidationError(
                "This live coverage has ended: reopen it before posting another update."
            )
        if self.embed_url:
            try:
                embeds.validate_embed_url(self.embed_url)
            except ValidationError as error:
                raise ValidationError({"embed_url": error.messages}) from None
        if not strip_tags(self.text).strip() and not self.image_id and not self.embed_url:
            raise ValidationError({"text": "Write the update, or give it a picture or an embed."})

    @property
    def embed(self):
        return embeds.embed(self.embed_url)

    @property
    def anchor(self) -> str:
        return f"update-{self.pk}"


class RelatedStory(models.Model):
    """One place in a story's "Related stories", computed when stories are published or
    changed (``articles.related``), never per request."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_rows")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    score = models.FloatField(default=0)

    class Meta:
        ordering = ["article", "position"]
        verbose_name_plural = "related stories"
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="related_place_once"),
            models.UniqueConstraint(fields=["article", "related"], name="related_story_once"),
            models.CheckConstraint(
                condition=~Q(article=F("related")),
                name="related_not_itself",
                violation_error_message="A story is not related to itself.",
            ),
        ]

    def __str__(self):
        return f"{self.article} -> {self.related}"


class WordPressItem(models.Model):
    """What an import of a WordPress export (``articles.wordpress``) made of one of its
    items, keyed by the item's WordPress ID, so that a second run finds it again.

    ``source_hash`` is a digest of what the export asked for, ``written_hash`` one of the
    story as the import left it: a story whose rows no longer match ``written_hash`` was
    edited in Newsroom since, and a later import leaves it alone (and says so)."""

    class Kind(models.TextChoices):
        POST = "post", "Post"
        ATTACHMENT = "attachment", "Attachment"
        CATEGORY = "category", "Category"
        TAG = "tag", "Tag"
        AUTHOR = "author", "Author"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    wp_id = models.CharField(
        "WordPress ID", max_length=200, help_text="Post or term ID; an author's login."
    )
    guid = models.CharField("GUID", max_length=500, blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(
        default=dict, blank=True, help_text="An attachment's address, file and texts."
    )
    source_hash = models.CharField(max_length=64, blank=True)
    written_hash = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "WordPress item"
        constraints = [
            models.UniqueConstraint(fields=["kind", "wp_id"], name="wordpress_item_once"),
        ]

    def __str__(self):
        return f"WordPress {self.kind} {self.wp_id}"


class OldAddress(models.Model):
    """An address from before the move (a WordPress permalink, ``/?p=123``, an old slug, a
    category, tag or author archive). When nothing else answers it, it answers 301 with the
    address its story, section, tag or author has now (``articles.old_addresses``), so it
    takes one hop however often the slug changes later."""

    path = models.CharField(
        max_length=500, unique=True, help_text='The path, or "/?p=123" for a query address.'
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="old_addresses"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name_plural = "old addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, section=None, tag=None, author=None)
                | Q(article=None, section__isnull=False, tag=None, author=None)
                | Q(article=None, section=None, tag__isnull=False, author=None)
                | Q(article=None, section=None, tag=None, author__isnull=False),
                name="old_address_one_target",
                violation_error_message="An old address leads to exactly one thing.",
            ),
        ]

    def __str__(self):
        return self.path

    @property
    def target(self):
        return self.article or self.section or self.tag or self.author


class DemoStory(models.Model):
    """A demo story as ``load_demo`` loaded it (``articles/demo/``): the file's digest and the
    story's version then. The demo is loaded once: a story edited, deleted or moved since is
    left as the newsroom made it, and only a story nobody touched follows a changed file."""

    slug = models.SlugField(max_length=200, unique=True, help_text="The demo file's slug.")
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file and its image.")
    lock_version = models.PositiveIntegerField(help_text="The story's version when loaded.")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "demo stories"

    def __str__(self):
        return self.slug


class FrontPageSlot(models.Model):
    """A story an editor pinned to the home page, at a place: 1 is the lead story, the next
    places the secondary stories beside it. Places not pinned (or pinned to a story readers
    cannot see) fall back to the newest stories."""

    position = models.PositiveSmallIntegerField(
        unique=True, help_text="1 is the lead story; 2 and on, the stories beside it."
    )
    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="front_page_slot", verbose_name="story"
    )

    class Meta:
        ordering = ["position"]
        verbose_name = "front page place"
        verbose_name_plural = "front page"
        constraints = [
            models.CheckConstraint(condition=Q(position__gte=1), name="front_page_from_one"),
        ]

    def __str__(self):
        return f"{self.position}. {self.article}"
