"""Confirmation emails: queued, sent by a worker, retried with backoff, never sent twice.

A subscriber whose confirmation is due is marked ``waiting`` and a ``send_confirmation``
task is queued (``request``). The task locks the row, sends, and records the outcome: ``sent``
with the time the mail server accepted it, or, when the server is down or refuses for now,
another try after ``NEWSLETTER_CONFIRM_RETRY_DELAYS`` (1 min, 5 min, 15 min, 1 h, 3 h, 6 h,
12 h), then ``failed``. The admin lists both states and can send the failed ones again.

With the database task backend (production) the retry is a task with ``run_after``; with
the immediate backend (local use) nothing can wait, so ``send_due`` (the
``send_confirmations`` command, and the digest command before every run) sends what is due.

The one window left: a crash of the worker after the mail server accepted a message and
before its row was written sends that message again on the next try.
"""

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

from .emails import confirmation_message
from .models import Subscriber

logger = logging.getLogger(__name__)

# A server that is down or busy, or refuses this message for now or for good: retried
# (a permanent 5xx too: it is often a misconfiguration of ours, fixed within the retries).
SEND_ERRORS = (smtplib.SMTPException, OSError, ValueError)


def request(subscriber: Subscriber, *, now: dt.datetime) -> None:
    """Mark ``subscriber``'s confirmation as due and queue its task once the transaction
    that called this commits (the caller holds the row)."""
    subscriber.confirmation = Subscriber.Confirmation.WAITING
    subscriber.confirmation_attempts = 0
    subscriber.confirmation_due_at = now
    subscriber.confirmation_error = ""
    _enqueue_on_commit(subscriber.pk, at=None)


def _enqueue_on_commit(subscriber_id: int, *, at: dt.datetime | None) -> None:
    def enqueue():
        task = send_confirmation
        if at is not None and default_task_backend.supports_defer:
            task = task.using(run_after=at)
        elif at is not None:
            return  # the immediate backend cannot wait: send_due() sends it when due
        task.enqueue(subscriber_id)

    transaction.on_commit(enqueue)


def delays() -> list[int]:
    return list(settings.NEWSLETTER_CONFIRM_RETRY_DELAYS)


@task()
def send_confirmation(subscriber_id: int) -> str:
    """The task: mail the confirmation link to a pending subscriber, or queue the next try."""
    return send(subscriber_id)


def send(subscriber_id: int) -> str:
    """Send one waiting confirmation; what happened, for the task's result."""
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(
                pk=subscriber_id,
                status=Subscriber.Status.PENDING,
                confirmation=Subscriber.Confirmation.WAITING,
            )
            .first()
        )
        if subscriber is None:
            return "nothing to send"  # sent already, confirmed, or left meanwhile
        now = timezone.now()
        try:
            confirmation_message(subscriber).send()
        except SEND_ERRORS as exc:
            return _failed(subscriber, exc, now)
        subscriber.confirmation = Subscriber.Confirmation.SENT
        subscriber.confirmation_sent_at = timezone.now()
        subscriber.confirmation_attempts += 1
        subscriber.confirmation_due_at = None
        subscriber.confirmation_error = ""
        subscriber.save(update_fields=CONFIRMATION_FIELDS)
    return "sent"


CONFIRMATION_FIELDS = [
    "confirmation",
    "confirmation_sent_at",
    "confirmation_attempts",
    "confirmation_due_at",
    "confirmation_error",
]


def _failed(subscriber: Subscriber, exc: Exception, now: dt.datetime) -> str:
    subscriber.confirmation_attempts += 1
    subscriber.confirmation_error = f"{type(exc).__name__}: {exc}"[:2000]
    waits = delays()
    if subscriber.confirmation_attempts > len(waits):
        subscriber.confirmation = Subscriber.Confirmation.FAILED
        subscriber.confirmation_due_at = None
        outcome = f"failed for good after {subscriber.confirmation_attempts} tries"
    else:
        wait = waits[subscriber.confirmation_attempts - 1]
        subscriber.confirmation_due_at = now + dt.timedelta(seconds=wait)
        _enqueue_on_commit(subscriber.pk, at=subscriber.confirmation_due_at)
        outcome = f"try {subscriber.confirmation_attempts} failed; again in {wait} s"
    subscriber.save(update_fields=CONFIRMATION_FIELDS)
    logger.warning(
        "Confirmation email to subscriber %s: %s (%s)",
        subscriber.pk,
        outcome,
        subscriber.confirmation_error,
    )
    return outcome


def send_due(*, limit: int = 1000) -> dict:
    """Send the confirmations whose time has come (for the immediate backend, and as a
    safety net for a task lost with its queue); counts by outcome."""
    due = Subscriber.objects.filter(
        status=Subscriber.Status.PENDING,
        confirmation=Subscriber.Confirmation.WAITING,
        confirmation_due_at__lte=timezone.now(),
    ).order_by("confirmation_due_at")
    counts: dict[str, int] = {}
    for subscriber_id in list(due.values_list("pk", flat=True)[:limit]):
        outcome = send(subscriber_id).split(";")[0]
        key = (
            "sent"
            if outcome == "sent"
            else "nothing"
            if outcome.startswith("nothing")
            else "failed"
        )
        counts[key] = counts.get(key, 0) + 1
    return counts


def retry_failed(queryset) -> int:
    """Send the failed (or stuck) confirmations of ``queryset`` again, from the first try;
    the number queued."""
    now = timezone.now()
    queued = 0
    for subscriber in queryset.filter(status=Subscriber.Status.PENDING).exclude(
        confirmation=Subscriber.Confirmation.SENT
    ):
        with transaction.atomic():
            request(subscriber, now=now)
            subscriber.save(update_fields=CONFIRMATION_FIELDS)
        queued += 1
    return queued
