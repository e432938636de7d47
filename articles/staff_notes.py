"""Staff notes on a story: threads between writers and editors, never shown to readers.

A note that names someone as ``@username`` emails them, through the task queue after the
note is committed (``articles.tasks.mail_mention``), never inside the request.
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from .models import StaffNote

MENTION = re.compile(r"(?<![\w@])@([\w.+-]+\w)")
MAX_CHARS = 5000


def mentioned_users(text: str) -> list:
    """The active staff named as @username in ``text``."""
    names = set(MENTION.findall(text))
    if not names:
        return []
    return list(get_user_model().objects.filter(is_active=True, is_staff=True, username__in=names))


def mentionable_usernames() -> list[str]:
    """Who a note can name, for the form's suggestions."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    return list(users.order_by("username").values_list("username", flat=True)[:500])


def add(*, article, author, text: str, reply_to: StaffNote | None = None) -> StaffNote:
    """A new thread, or a reply to one (a reply to a reply joins the same thread)."""
    text = text.strip()
    if not text:
        raise ValidationError("The note is empty: write something first.")
    if len(text) > MAX_CHARS:
        raise ValidationError(f"The note is {len(text):,} characters; the limit is {MAX_CHARS:,}.")
    if reply_to is not None:
        if reply_to.article_id != article.pk:
            raise ValidationError("That thread belongs to another story.")
        reply_to = reply_to.reply_to or reply_to
    with transaction.atomic():
        note = StaffNote.objects.create(
            article=article, author=author, text=text, reply_to=reply_to
        )
        if reply_to is not None and reply_to.resolved_at is not None:
            reply_to.resolved_at, reply_to.resolved_by = None, None  # a reply reopens it
            reply_to.save(update_fields=["resolved_at", "resolved_by"])
        people = [user for user in mentioned_users(text) if user.pk != getattr(author, "pk", None)]
        note.mentioned.set(people)
        if people:
            from .tasks import mail_mention

            transaction.on_commit(lambda: mail_mention.enqueue(note.pk))
    return note


def resolve(*, thread: StaffNote, by, reopen: bool = False) -> None:
    if thread.reply_to_id is not None:
        raise ValidationError("A thread is resolved as a whole: resolve its first note.")
    thread.resolved_at = None if reopen else timezone.now()
    thread.resolved_by = None if reopen else by
    thread.save(update_fields=["resolved_at", "resolved_by"])


def act(*, article, user, data) -> None:
    """What the notes panel's form asked for: ``resolve``/``reopen`` a thread, a reply
    (``reply_to`` with ``reply_text``), or a new thread (``text``)."""
    notes = StaffNote.objects.filter(article=article)
    for verb in ("resolve", "reopen"):
        if data.get(verb):
            thread = notes.filter(pk=_id(data[verb])).first()
            if thread is None:
                raise ValidationError("That thread no longer exists.")
            resolve(thread=thread, by=user, reopen=verb == "reopen")
            return
    if data.get("reply_to"):
        thread = notes.filter(pk=_id(data["reply_to"])).first()
        if thread is None:
            raise ValidationError("That thread no longer exists.")
        add(
            article=article,
            author=user,
            text=data.get(f"reply_text_{thread.pk}", ""),
            reply_to=thread,
        )
        return
    add(article=article, author=user, text=data.get("text", ""))


def _id(value) -> int:
    return int(value) if str(value).isdigit() else 0


def threads(article) -> list[StaffNote]:
    """The story's threads, oldest first, each with its replies (two queries in all)."""
    replies = StaffNote.objects.select_related("author").order_by("created_at", "pk")
    return list(
        StaffNote.objects.filter(article=article, reply_to=None)
        .select_related("author", "resolved_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )
