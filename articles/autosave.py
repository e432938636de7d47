"""Autosave: what someone types in a story, kept on the server every few seconds without
touching the story (``StoryAutosave``, one row per person and story, or per person and new
story's key). The story changes only when they save it; then the row goes (``forget``).

A stale tab never overwrites newer work: each row counts its autosaves, and a tab sends the
count it last saw. A tab opened before the story itself was last saved is refused as the
form's own save would be (the optimistic lock).
"""

import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Article, StoryAutosave

FIELDS = ("headline", "slug", "dek", "description", "body")
MAX_BODY_CHARS = 500_000


class Refused(Exception):
    """An autosave that was not stored; the message says why and what to do."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def _number(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Refused(f"The autosave's {name} is missing or not a number.", 400) from None


def store(*, user, article, draft_key, fields, known_revision, base_version) -> StoryAutosave:
    """Keep ``fields`` as ``user``'s newest text of ``article`` (or of the new story
    ``draft_key``); raise Refused when it would overwrite something newer."""
    known = _number(known_revision, "revision")
    base = _number(base_version, "story version") if article is not None else 0
    if article is None:
        try:
            draft_key = uuid.UUID(str(draft_key))
        except ValueError:
            raise Refused("A new story's autosave needs the key its form was given.", 400) from None
    else:
        draft_key = None
    if len(fields.get("body", "")) > MAX_BODY_CHARS:
        raise Refused(f"The body is over {MAX_BODY_CHARS:,} characters: too long to autosave.", 400)
    with transaction.atomic():
        if article is not None:
            current = (
                Article.objects.select_for_update(of=("self",))
                .filter(pk=article.pk)
                .values_list("lock_version", "last_edited_by__username", "modified_at")
                .first()
            )
            if current is None:
                raise Refused("That story no longer exists.", 404)
            if current[0] != base:
                when = timezone.localtime(current[2]).strftime("%H:%M:%S")
                raise Refused(
                    f"This story was saved by {current[1] or 'someone'} at {when}, after this "
                    "tab opened it, so this tab's text was not autosaved. Copy what you wrote, "
                    "reload the story and apply it again."
                )
        row = (
            StoryAutosave.objects.select_for_update()
            .filter(user=user, article=article, draft_key=draft_key)
            .first()
        )
        if row is not None and row.revision != known:
            when = timezone.localtime(row.saved_at).strftime("%H:%M:%S")
            raise Refused(
                f"Another tab autosaved newer text of this story at {when}, so this tab's "
                "text was not autosaved. Use the newest tab, or reload this one to get it."
            )
        if row is None:
            if known != 0:
                raise Refused(
                    "The autosave this tab knew of is gone (the story was saved since). "
                    "Reload the story before you go on."
                )
            row = StoryAutosave(user=user, article=article, draft_key=draft_key)
        row.fields = {name: str(fields.get(name, "")) for name in FIELDS}
        row.revision += 1
        row.base_version = base
        row.saved_at = timezone.now()
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # Another tab made the first row between our read and this write.
            raise Refused(
                "Another tab autosaved this story at the same moment: reload it."
            ) from None
    return row


def find(*, user, article=None, draft_key=None) -> StoryAutosave | None:
    if article is not None:
        return StoryAutosave.objects.filter(user=user, article=article).first()
    try:
        key = uuid.UUID(str(draft_key))
    except ValueError:
        return None
    return StoryAutosave.objects.filter(user=user, draft_key=key).first()


def revision_of(*, user, article=None, draft_key=None) -> int:
    """The autosave count a freshly opened form starts from."""
    row = find(user=user, article=article, draft_key=draft_key)
    return row.revision if row is not None else 0


def offer(*, user, article=None) -> StoryAutosave | None:
    """The autosave a form should offer to restore: for a story, one newer than its last save
    whose text differs from it; for a new story, the newest of the user's unsaved stories."""
    if article is None:
        return (
            StoryAutosave.objects.filter(user=user, article__isnull=True)
            .order_by("-saved_at")
            .first()
        )
    row = find(user=user, article=article)
    if row is None or row.saved_at <= article.modified_at:
        return None
    if all(row.fields.get(name, "") == (getattr(article, name) or "") for name in FIELDS):
        return None
    return row


def forget(*, user, article=None, draft_key=None) -> None:
    """The story was saved: its autosave (and the new story's, on a first save) is done."""
    match = Q(article=article) if article is not None and article.pk else Q(pk__in=[])
    if draft_key:
        match |= Q(draft_key=draft_key)
    StoryAutosave.objects.filter(match, user=user).delete()
