"""Writes that the newsletter's views and commands share."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

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


def subscribe(*, email: str, source: str = "") -> Subscriber:
    """Record a signup: a new address becomes a pending subscriber; an address already
    known is left as it is, so a repeat signup changes nothing and reveals nothing."""
    subscriber, _created = Subscriber.objects.get_or_create(
        email=email, defaults={"source": source[:500]}
    )
    return subscriber
