"""The newsroom's workflow, across stories, their bylines, notes, transitions and versions.

Who may do what (``can_publish``), what each button of the story form does (``plan``), the
checklist a story passes before it is published (``checklist``), how a move is told in the
history (``describe``), restoring the words of an old version (``restore``), and what a
correction changes (``after_notes_changed``). The admin calls these; they hold no admin state.
"""

import datetime as dt
from dataclasses import dataclass

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from .models import Article, ArticleAuthor, Image, Transition

WRITER_STATES = {Article.Status.DRAFT, Article.Status.REVIEW}


def can_publish(user) -> bool:
    return user.has_perm("articles.publish_article")


# The story form's buttons. Each names what it does; ``plan`` turns one into a state and time.


@dataclass(frozen=True)
class Button:
    action: str
    label: str
    primary: bool = False  # the button Ctrl/Cmd+S presses
    danger: bool = False


SAVE_DRAFT = "save"
SUBMIT = "submit"
PUBLISH = "publish"
SCHEDULE = "schedule"
UPDATE = "update"
UNPUBLISH = "unpublish"
TO_DRAFT = "draft"
ACTIONS = (SAVE_DRAFT, SUBMIT, PUBLISH, SCHEDULE, UPDATE, UNPUBLISH, TO_DRAFT)


def buttons(article: Article | None, user) -> list[Button]:
    """The buttons ``user`` gets on the form of ``article`` (None: a story not saved yet)."""
    editor = can_publish(user)
    status = article.status if article is not None else Article.Status.DRAFT
    scheduled = article is not None and article.is_scheduled
    found: list[Button] = []
    if status == Article.Status.DRAFT:
        found += [
            Button(SAVE_DRAFT, "Save draft", primary=True),
            Button(SUBMIT, "Submit for review"),
        ]
        if editor:
            found += [Button(PUBLISH, "Publish now"), Button(SCHEDULE, "Schedule")]
    elif not editor:
        return []  # a writer's story in review or published is read-only to them
    elif status == Article.Status.REVIEW:
        found += [
            Button(UPDATE, "Save", primary=True),
            Button(PUBLISH, "Publish now"),
            Button(SCHEDULE, "Schedule"),
            Button(TO_DRAFT, "Return to draft"),
        ]
    elif scheduled:
        found += [
            Button(UPDATE, "Update", primary=True),
            Button(SCHEDULE, "Reschedule"),
            Button(PUBLISH, "Publish now"),
            Button(TO_DRAFT, "Unschedule", danger=True),
        ]
    elif status == Article.Status.PUBLISHED:
        found += [
            Button(UPDATE, "Update", primary=True),
            Button(UNPUBLISH, "Unpublish", danger=True),
        ]
    else:  # unpublished
        found += [
            Button(UPDATE, "Save", primary=True),
            Button(PUBLISH, "Publish again"),
            Button(SCHEDULE, "Schedule"),
        ]
    return found


def default_schedule_time(now: dt.datetime | None = None) -> dt.datetime:
    """The schedule picker's first offer: the next full hour at least 30 minutes away, in the
    newsroom's time zone (stories are usually timed to the hour)."""
    now = timezone.localtime(now or timezone.now())
    return (now + dt.timedelta(minutes=90)).replace(minute=0, second=0, microsecond=0)


def plan(action: str, *, article: Article, user, schedule_at, published_at, now=None):
    """The state and published time the button ``action`` gives ``article`` (as stored; its
    published time as the form has it, ``published_at``), or a ValidationError naming what
    stands in the way."""
    now = now or timezone.now()
    if action not in ACTIONS:
        raise ValidationError(f"Unknown button {action!r}.")
    allowed = {button.action for button in buttons(article if article.pk else None, user)}
    if action not in allowed and not (action == SAVE_DRAFT and UPDATE in allowed):
        raise ValidationError(f"You cannot {action} this story.")
    if action == SUBMIT:
        return Article.Status.REVIEW, published_at
    if action in {SAVE_DRAFT, UPDATE}:
        return article.status, published_at
    if action == TO_DRAFT:
        return Article.Status.DRAFT, None if article.is_scheduled else published_at
    if action == UNPUBLISH:
        return Article.Status.UNPUBLISHED, published_at
    if action == PUBLISH:
        keep = published_at is not None and published_at <= now
        return Article.Status.PUBLISHED, published_at if keep else now
    # SCHEDULE
    if schedule_at is None:
        raise ValidationError({"schedule_at": "Choose the date and time to publish at."})
    if schedule_at <= now:
        shown = date_format(timezone.localtime(schedule_at), "j M Y, H:i")
        raise ValidationError(
            {"schedule_at": f"{shown} is in the past: choose a later time, or press Publish now."}
        )
    return Article.Status.PUBLISHED, schedule_at


# The checklist before publishing: (field id, what is missing). Each failing item is a link to
# its field on the form.

CHECKLIST = [
    ("headline", "Headline"),
    ("dek", "Sub-headline"),
    ("section", "Section"),
    ("bylines", "Byline"),
    ("lead_image", "Lead image"),
    ("lead_alt_text", "Alt text of the lead image"),
    ("body", "Body"),
]


def checklist(*, headline, dek, section, byline_count, lead_image, alt_text, body) -> list:
    """Each item of ``CHECKLIST`` with whether the story passes it."""
    from .diffs import plain_text

    passed = {
        "headline": bool((headline or "").strip()),
        "dek": bool((dek or "").strip()),
        "section": section is not None,
        "bylines": byline_count > 0,
        "lead_image": lead_image is not None,
        "lead_alt_text": lead_image is not None and bool((alt_text or "").strip()),
        "body": bool(plain_text(body or "").strip()),
    }
    return [(field, label, passed[field]) for field, label in CHECKLIST]


def checklist_of(article: Article) -> list:
    """The checklist of a saved story as it is stored."""
    image = article.lead_image
    return checklist(
        headline=article.headline,
        dek=article.dek,
        section=article.section,
        byline_count=len(article.bylines.all()) if article.pk else 0,
        lead_image=image,
        alt_text=image.alt_text if image else "",
        body=article.body,
    )


# History


def describe(to_status: str, *, from_status: str = "", scheduled_for=None) -> str:
    """A state change as the history tells it."""
    if scheduled_for is not None:
        return f"Scheduled for {date_format(timezone.localtime(scheduled_for), 'j M Y, H:i')}"
    if not from_status:
        return {"draft": "Created as a draft", "review": "Created and submitted"}.get(
            to_status, f"Created as {Article.Status(to_status).label.lower()}"
        )
    if to_status == Article.Status.REVIEW:
        return "Submitted for review"
    if to_status == Article.Status.PUBLISHED:
        return "Published again" if from_status == Article.Status.UNPUBLISHED else "Published"
    if to_status == Article.Status.UNPUBLISHED:
        return "Unpublished"
    if from_status == Article.Status.PUBLISHED:
        return "Unscheduled, back to draft"
    return "Returned to draft"


def describe_transition(transition: Transition) -> str:
    return describe(
        transition.to_status,
        from_status=transition.from_status,
        scheduled_for=transition.scheduled_for,
    )


def note_in_history(text: str) -> None:
    """Put ``text`` first in the comment of the revision being saved (the History page's
    "action"), when one is being saved."""
    if not reversion.is_active():
        return
    before = reversion.get_comment()
    reversion.set_comment(f"{text}. {before}" if before else text)


def move(article: Article, status: str, *, by) -> None:
    """An admin action's move to ``status`` (``Article.move_to``), told in the history."""
    before = article.status
    article.move_to(status, by=by)
    scheduled = article.published_at if article.is_scheduled else None
    note_in_history(describe(status, from_status=before, scheduled_for=scheduled))


def after_notes_changed(article: Article, *, by) -> None:
    """Corrections and updates change the story: readers and ``dateModified`` see the newest
    note's time as the updated time (kept when the only change removed a note from a story
    never updated)."""
    latest = article.notes.order_by("-created_at").values_list("created_at", flat=True).first()
    updated = max(filter(None, [article.updated_at, latest]), default=None)
    if updated is None:
        return
    if article.published_at and updated < article.published_at:
        updated = article.published_at
    article.updated_at = updated
    article.save(by=by, update_fields=["updated_at"])


# Restoring an old version: the words come back, the state stays.

RESTORED_FIELDS = ("headline", "dek", "description", "body", "lead_image_id")


def restore(article: Article, version, *, by, seen_version: int | None) -> None:
    """Bring back the headline, sub-headline, description, body, lead image, byline and tags
    of ``version`` (a reversion Version of ``article``), saved as a new version. The state,
    the times, the address, the placement and who holds the story stay as they are now: a
    restore changes the words, never whether or where readers see them. Refused, like any
    save, if the story changed after ``seen_version`` was read."""
    old = version.field_dict
    with transaction.atomic():
        current = (
            Article.objects.select_for_update(of=("self",))
            .filter(pk=article.pk)
            .values_list("lock_version", flat=True)
            .first()
        )
        if seen_version != current:
            raise ValidationError(lock_message(article))
        for name in RESTORED_FIELDS:
            setattr(article, name, old.get(name) or (None if name.endswith("_id") else ""))
        if article.lead_image_id and not Image.objects.filter(pk=article.lead_image_id).exists():
            article.lead_image_id = None  # the picture was deleted from the library since
        article.save(by=by)
        article.tags.set(old.get("tags", []))
        bylines = [
            v.field_dict
            for v in version.revision.version_set.all()
            if v.content_type.model_class() is ArticleAuthor
        ]
        article.bylines.all().delete()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author_id=b["author_id"], position=b["position"])
            for b in bylines
            if b.get("author_id")
        )


def lock_message(article: Article) -> str:
    """What a save refused by the optimistic lock says: who changed the story, and when."""
    now = Article.objects.filter(pk=article.pk).select_related("last_edited_by").first()
    who = (now.last_edited_by.username if now and now.last_edited_by else None) or "someone"
    when = timezone.localtime(now.modified_at).strftime("%H:%M:%S") if now else "?"
    return (
        f"This story was changed by {who} at {when}, after you opened it. Your changes were "
        "not saved: copy them, reload the story, and apply them again."
    )
