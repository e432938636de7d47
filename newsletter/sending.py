"""Sending a digest: batched, resumable, and never twice to the same reader.

Confirmed subscribers are read in batches of ``NEWSLETTER_BATCH_SIZE`` by primary key (a
keyset walk, so memory stays flat however long the list). Each message's outcome is written
the moment the mail server answers, in a ``Delivery`` row unique per (digest, subscriber):
a rerun after a crash skips everyone already served and carries on with the rest. A refused
recipient is recorded as failed with the server's answer and retried on later runs, up to
``NEWSLETTER_MAX_ATTEMPTS``. If the mail server goes away mid-run, the run stops with the
rest untouched for the next one.

One sender at a time holds a digest (``locks.digest_lock``: a PostgreSQL advisory lock, or
an flock on SQLite), for exactly as long as its process lives: a second sender is refused
however slow the first one's mail server is, and a sender killed mid-send frees the digest
at once for the rerun.

Before every batch the digest's stories are read again: one taken down since is left out of
the messages that follow, and a digest whose every story was taken down is cancelled.

The one window left: a crash after the mail server accepted a message and before its row
was written sends that one message again on the rerun, with the same Message-ID (one per
digest and reader), which mail clients use to show it once.
"""

import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from articles.models import Article

from . import locks
from .emails import digest_content
from .models import Delivery, Digest, Subscriber

# A refusal that concerns this one recipient or message (ValueError: an address the mail
# library cannot write); anything else, a refused sender included, ends the run.
RECIPIENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, ValueError)


class DigestBusy(Exception):
    """Another sender holds the digest."""


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    stopped: str = ""  # why the run ended early, if it did
    finished: bool = False

    def __str__(self):
        state = "finished" if self.finished else f"not finished ({self.stopped or 'limit'})"
        return f"{self.sent} sent, {self.failed} failed, {state}"


def next_window(since: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """From the end of the previous digest (or ``since``) until now."""
    until = timezone.now()
    if since is None:
        previous = Digest.objects.order_by("-until").first()
        days = settings.NEWSLETTER_FIRST_DIGEST_DAYS
        since = previous.until if previous else until - dt.timedelta(days=days)
    return since, until


def stories_between(since: dt.datetime, until: dt.datetime):
    return (
        Article.objects.published()
        .filter(published_at__gt=since, published_at__lte=until)
        .order_by("-published_at")
    )


def create_digest(*, since: dt.datetime | None = None) -> Digest | None:
    """A new digest of the stories published since the previous one, or None if there are
    no new stories."""
    since, until = next_window(since)
    stories = list(
        stories_between(since, until).values_list("pk", flat=True)[
            : settings.NEWSLETTER_MAX_STORIES
        ]
    )
    if not stories:
        return None
    with transaction.atomic():
        digest = Digest.objects.create(
            subject=settings.NEWSLETTER_DIGEST_SUBJECT, since=since, until=until
        )
        digest.stories.set(stories)
    return digest


def pending_recipients(digest: Digest):
    """Confirmed subscribers this digest has neither reached nor given up on."""
    done = Delivery.objects.filter(digest=digest, subscriber=OuterRef("pk")).filter(
        Q(status=Delivery.Status.SENT) | Q(attempts__gte=settings.NEWSLETTER_MAX_ATTEMPTS)
    )
    return Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).exclude(Exists(done))


def _record(digest, subscriber, attempts, error=""):
    status = Delivery.Status.FAILED if error else Delivery.Status.SENT
    Delivery.objects.bulk_create(
        [
            Delivery(
                digest=digest,
                subscriber=subscriber,
                status=status,
                attempts=attempts,
                error=error[:2000],
                last_attempt_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["digest", "subscriber"],
        update_fields=["status", "attempts", "error", "last_attempt_at"],
    )


def send_digest(
    digest: Digest,
    *,
    limit: int | None = None,
    batch_size: int | None = None,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    """Send ``digest`` to every confirmed subscriber not yet served (at most ``limit`` in
    this run). Raises DigestBusy when another sender holds it."""
    with locks.digest_lock(digest.pk) as held:
        if not held:
            raise DigestBusy(f"Digest {digest.pk} is being sent by another process.")
        return _send_held(digest, limit=limit, batch_size=batch_size, progress=progress)


def _send_held(digest, *, limit, batch_size, progress) -> Report:
    report = Report()
    digest.refresh_from_db(fields=["status"])
    if digest.status in (Digest.Status.SENT, Digest.Status.CANCELLED):
        report.finished = digest.status == Digest.Status.SENT
        report.stopped = "" if report.finished else "cancelled"
        return report
    try:
        _commit_without_waiting_for_disk()
        now = timezone.now()
        Digest.objects.filter(pk=digest.pk, started_at__isnull=True).update(started_at=now)
        Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.SENDING)
        stories: list[int] | None = None
        content = None
        size = batch_size or settings.NEWSLETTER_BATCH_SIZE
        after = 0
        while limit is None or report.sent + report.failed < limit:
            room = size if limit is None else min(size, limit - report.sent - report.failed)
            batch = list(
                pending_recipients(digest).filter(pk__gt=after).order_by("pk").only("email")[:room]
            )
            if not batch:
                break
            # Every batch goes out with the stories that are still published now.
            live = live_story_ids(digest)
            if not live:
                report.stopped = "cancelled: every story in it was taken down"
                Digest.objects.filter(pk=digest.pk).update(
                    status=Digest.Status.CANCELLED, finished_at=timezone.now()
                )
                return report
            if live != stories:
                stories, content = live, digest_content(digest)
            report.stopped = _send_batch(digest, content, batch, report)
            if report.stopped:
                break
            after = batch[-1].pk
            if progress:
                progress(report)
        if not report.stopped and not pending_recipients(digest).exists():
            report.finished = True
            Digest.objects.filter(pk=digest.pk).update(
                status=Digest.Status.SENT, finished_at=timezone.now()
            )
    finally:
        _commit_without_waiting_for_disk(reset=True)
    return report


def live_story_ids(digest: Digest) -> list[int]:
    """The digest's stories that readers can still see, in the order it lists them."""
    return list(
        Article.objects.published()
        .filter(digests=digest)
        .order_by("-published_at", "pk")
        .values_list("pk", flat=True)
    )


def _commit_without_waiting_for_disk(reset: bool = False) -> None:
    """On PostgreSQL, let this connection's commits return before the WAL reaches the disk.

    Each delivery row is its own commit, written the moment a message is accepted, so a
    crash of *this process* loses nothing. Waiting for the disk on every commit would make
    the database, not the mail server, bound the loop; without the wait, a crash of the
    *database server* can lose the last fraction of a second of rows (PostgreSQL's
    wal_writer_delay), and those few messages would be sent again on the rerun."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit" if reset else "SET synchronous_commit = off")


def _send_batch(digest, content, batch, report) -> str:
    """Send one batch over one connection; the reason to stop the run, or ''."""
    tried = dict(
        Delivery.objects.filter(digest=digest, subscriber__in=batch).values_list(
            "subscriber_id", "attempts"
        )
    )
    try:
        with mailers.default as connection:
            for subscriber in batch:
                attempts = tried.get(subscriber.pk, 0) + 1
                try:
                    connection.send_messages([content.message_for(subscriber)])
                except RECIPIENT_ERRORS as exc:
                    if _closing(exc):
                        raise
                    _record(digest, subscriber, attempts, error=f"{type(exc).__name__}: {exc}")
                    report.failed += 1
                else:
                    _record(digest, subscriber, attempts)
                    report.sent += 1
    except (smtplib.SMTPException, OSError) as exc:
        return f"mail server error: {type(exc).__name__}: {exc}"
    return ""


def _closing(exc: smtplib.SMTPException) -> bool:
    """A 421: the server is closing the connection (RFC 5321 3.8), whatever it was asked.

    smtplib reports it as a refusal of the sender, recipient or data in flight, but it says
    nothing about that reader: the run stops, and no attempt is counted against them."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in exc.recipients.values())
    return getattr(exc, "smtp_code", None) == 421


def unfinished_digests():
    """Digests a run began and did not finish (a crash, a mail server outage, retries)."""
    return Digest.objects.filter(status=Digest.Status.SENDING).order_by("created_at")
