"""Writes that the newsletter's views and commands share."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import confirmations
from .addresses import mailbox_of
from .models import Subscriber

MAILBOX_LOCK = 7_120_001  # the first key of the newsletter's advisory locks (an arbitrary number)


def subscribe(*, email: str, source: str = "", consent_text: str = "") -> Subscriber:
    """Record a signup and queue a confirmation link when one is due (run by the
    ``process_signup`` task, so the signup request does the same work for every address).

    A new address becomes pending; an unsubscribed one starts again as pending (it must
    confirm again); a confirmed one is left alone. A confirmation is due for a pending
    address unless one is already waiting to be sent, or the same mailbox (``mailbox_of``:
    ``dana+1@`` and ``dana+2@`` are one) was sent one within ``NEWSLETTER_RESEND_INTERVAL``.
    The caller shows the same page whatever happened here, so nothing reveals who is
    subscribed.
    """
    now = timezone.now()
    mailbox = mailbox_of(email)
    with transaction.atomic():
        _lock_mailbox(mailbox)
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
            email=email,
            defaults={"source": source[:500], "consent_text": consent_text, "mailbox": mailbox},
        )
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return subscriber
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.PENDING
            subscriber.source, subscriber.consent_text = source[:500], consent_text
        subscriber.mailbox = mailbox
        if confirmation_due(subscriber, now=now):
            confirmations.request(subscriber, now=now)
        subscriber.save()
    return subscriber


def confirmation_due(subscriber: Subscriber, *, now) -> bool:
    if subscriber.confirmation == Subscriber.Confirmation.WAITING:
        return False  # queued, or being retried: one mail, not two
    interval = dt.timedelta(seconds=settings.NEWSLETTER_RESEND_INTERVAL)
    same_mailbox = Subscriber.objects.filter(mailbox=subscriber.mailbox)
    recent = Q(confirmation_sent_at__gte=now - interval) | Q(
        confirmation=Subscriber.Confirmation.WAITING
    )
    return not same_mailbox.filter(recent).exists()


def _lock_mailbox(mailbox: str) -> None:
    """Serialise signups of one mailbox (two variants signing up at once must not both get
    a mail): a transaction-long advisory lock on PostgreSQL; SQLite writes one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [MAILBOX_LOCK, mailbox]
            )


def over_signup_limit(client_address: str) -> bool:
    """Count a signup from this client address; True once it passes the rate limit.

    The address is kept only as a keyed hash, only in the cache, only for the window."""
    limit, window = settings.NEWSLETTER_SIGNUP_RATE
    digest = salted_hmac("newsletter.signup", client_address, algorithm="sha256").hexdigest()
    key = f"newsletter:signup:{digest}"
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return False
