"""Writes that the newsletter's views and commands share."""

from django.core.exceptions import ValidationError

from .models import Subscriber


def normalise_email(raw: str) -> str:
    """Trim, lower-case, and write a unicode domain in its ASCII (IDNA) form, so one mailbox
    is one row however it was typed."""
    email = raw.strip()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise ValidationError("Enter a valid email address, like name@example.com.")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(f"The domain {domain!r} is not a valid domain name.") from exc
    return f"{local}@{domain}".lower()


def subscribe(*, email: str, source: str = "") -> Subscriber:
    """Record a signup: a new address becomes a pending subscriber; an address already
    known is left as it is, so a repeat signup changes nothing and reveals nothing."""
    subscriber, _created = Subscriber.objects.get_or_create(
        email=email, defaults={"source": source[:500]}
    )
    return subscriber
