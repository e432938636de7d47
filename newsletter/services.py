"""Writes that the newsletter's views and commands share."""

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import tasks
from .models import Subscriber

INVALID_MESSAGE = "Enter a valid email address, like name@example.com."
TOO_LONG_MESSAGE = "That email address is too long."
MAX_LENGTH = 254  # the column's length, and the longest address SMTP can carry

# "%0a", "%0D%0A" ...: an encoded newline sent to slip a header in, never part of a real address.
_PERCENT_ESCAPE = re.compile(r"%[0-9a-f]{2}", re.IGNORECASE)


class _MailboxValidator(EmailValidator):
    """Django's address check without what a newsletter must not accept: ``localhost`` and
    IP-literal domains (``name@[127.0.0.1]``)."""

    def validate_domain_part(self, domain_part):
        return bool(self.domain_regex.match(domain_part))


_validate_mailbox = _MailboxValidator(message=INVALID_MESSAGE, allowlist=[])


def normalise_email(raw: str) -> str:
    """Trim, lower-case, and write a unicode domain in its ASCII (IDNA) form, so one mailbox
    is one row however it was typed; then check the result is an address we can mail.

    A control character (a newline above all) anywhere, even at the ends where trimming
    would hide it, or a percent-encoded one, refuses the address: nothing from this field
    can ever reach a mail header except a plain address."""
    invalid = ValidationError(INVALID_MESSAGE, code="invalid")
    if any(unicodedata.category(ch) == "Cc" for ch in raw) or _PERCENT_ESCAPE.search(raw):
        raise invalid
    email = raw.strip()
    if any(ch.isspace() for ch in email):
        raise invalid
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise invalid
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise invalid from exc
    email = f"{local}@{domain}".lower()
    # The ASCII form of a unicode domain is longer than what was typed.
    if len(email) > MAX_LENGTH:
        raise ValidationError(TOO_LONG_MESSAGE, code="max_length")
    _validate_mailbox(email)
    return email


def subscribe(*, email: str, source: str = "", consent_text: str = "") -> Subscriber:
    """Record a signup and mail a confirmation link when one is due.

    A new address becomes pending; a pending one gets a fresh link at most once per
    ``NEWSLETTER_RESEND_INTERVAL``; an unsubscribed one starts again as pending (it must
    confirm again); a confirmed one is left alone. The caller shows the same page whatever
    happened here, so nothing reveals who is subscribed.
    """
    now = timezone.now()
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"source": source[:500], "consent_text": consent_text}
        )
        due = created
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.PENDING
            subscriber.source, subscriber.consent_text = source[:500], consent_text
            due = True
        elif subscriber.status == Subscriber.Status.PENDING and not created:
            last = subscriber.confirmation_sent_at
            interval = dt.timedelta(seconds=settings.NEWSLETTER_RESEND_INTERVAL)
            due = last is None or now - last >= interval
        if due:
            subscriber.confirmation_sent_at = now
            subscriber.save()
            transaction.on_commit(lambda: tasks.send_confirmation.enqueue(subscriber.pk))
    return subscriber


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
