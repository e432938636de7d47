import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.importer import StoryFileError, import_story, read_story, story_paths
from articles.models import Article, Author, DemoStory, Section

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "newsroom-demo"  # noqa: S105 - a local demo account, refused with DEBUG off
SECTION_DETAILS = {
    "all-israel": (1, "News from across Israel: cities, science, society and the state."),
    "middle-east": (2, "Israel's neighbours and the diplomacy of the region."),
    "business-tech": (3, "Startups, markets, energy and the people who build them."),
    "culture": (4, "Museums, music, food and sport."),
}
DEMO_ORGANISATIONS = {"all-israel-news-staff"}  # bylines of the newsroom itself, not a person
KEPT = "kept"  # a story the newsroom changed, deleted or wrote itself: never overwritten


def digest(story) -> str:
    """The demo file and its image, as one SHA-256."""
    sha = hashlib.sha256(story.path.read_bytes())
    if story.image is not None:
        sha.update(story.image.read_bytes())
    return sha.hexdigest()


def load(story) -> tuple[str, str]:
    """Load one demo story unless the newsroom has touched it: (outcome, why)."""
    record = DemoStory.objects.filter(slug=story.slug).select_related("article").first()
    file_digest = digest(story)
    if record is None:
        if Article.objects.filter(slug=story.slug).exists():
            return KEPT, "a story at this address was not loaded by the demo"
    elif record.article is None:
        return KEPT, "deleted since it was loaded"
    elif record.article.lock_version != record.lock_version:
        return KEPT, "edited since it was loaded"
    elif record.digest == file_digest:
        return "unchanged", ""
    with transaction.atomic():
        outcome = import_story(story)
        article = Article.objects.get(slug=story.slug)
        DemoStory.objects.update_or_create(
            slug=story.slug,
            defaults={
                "article": article,
                "digest": file_digest,
                "lock_version": article.lock_version,
            },
        )
    return ("loaded" if outcome == "created" else outcome), ""


class Command(BaseCommand):
    help = (
        "Load the demo newsroom (stories, authors, images) through the importer and create "
        "a demo admin account. The demo is loaded once: running it again changes nothing, and "
        "a demo story edited, deleted or moved in the newsroom is never overwritten."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo loader creates a known admin login: run it with DEBUG=1.")
        sections_before = set(Section.objects.values_list("slug", flat=True))
        authors_before = set(Author.objects.values_list("slug", flat=True))
        counts: dict[str, int] = {}
        for path in story_paths([DEMO_DIR / "stories"]):
            try:
                outcome, why = load(read_story(path))
            except StoryFileError as exc:
                raise CommandError(f"The demo story {exc.path} is broken: {exc.reason}") from exc
            counts[outcome] = counts.get(outcome, 0) + 1
            if why or (outcome != "unchanged" and options["verbosity"] > 1):
                self.stdout.write(f"{outcome:9} {path.name}{f': {why}' if why else ''}")
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"Demo stories: {summary}")
        with transaction.atomic():
            # Only the sections this run created get the demo's order and description: an
            # editor's own wording of a section stays.
            new = Section.objects.filter(slug__in=SECTION_DETAILS).exclude(slug__in=sections_before)
            for section in new:
                section.order, section.description = SECTION_DETAILS[section.slug]
                section.save(update_fields=["order", "description"])
            for author in Author.objects.filter(slug__in=DEMO_ORGANISATIONS - authors_before):
                author.kind = Author.Kind.ORGANISATION
                author.save(update_fields=["kind"])
            user_model = get_user_model()
            if not user_model.objects.filter(username=DEMO_USERNAME).exists():
                user_model.objects.create_superuser(DEMO_USERNAME, "admin@localhost", DEMO_PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: {settings.SITE_URL}/admin/  user {DEMO_USERNAME!r}  "
                f"password {DEMO_PASSWORD!r}"
            )
        )
        if settings.MAILERS["default"]["BACKEND"] == "newsroom.outbox.EmailBackend":
            self.stdout.write(
                f"Mail the site sends: {settings.SITE_URL}/admin/outbox/ "
                f"(.eml files in {settings.OUTBOX_DIR})"
            )
