"""Signed links: confirmation links expire, unsubscribe links never do.

A link names no address: it carries the subscriber's id and a keyed hash of the address
(``[id, hmac]``, signed), so it is opaque in access logs and referrers, and a link made for
one address still cannot act on the row once its address was changed. Neither needs a
table of its own.

Links of the first kind (``{"id": …, "email": …}``, the address readable in them) are still
honoured for unsubscribing, since digests already in inboxes carry them; confirmation links
of that kind stop working (they expire within a week anyway, and signing up again sends a
new one).
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import Subscriber

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


class LinkError(Exception):
    """A link that cannot be used; ``expired`` tells an old link from a broken one."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _address_hash(email: str) -> str:
    return salted_hmac("newsletter.link-address", email, algorithm="sha256").hexdigest()[:16]


def _payload(subscriber: Subscriber) -> list:
    return [subscriber.pk, _address_hash(subscriber.email)]


def _subscriber(payload, *, legacy: bool = False) -> Subscriber:
    if isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int):
        subscriber = Subscriber.objects.filter(pk=payload[0]).first()
        if subscriber is not None and constant_time_compare(
            _address_hash(subscriber.email), str(payload[1])
        ):
            return subscriber
    elif legacy and isinstance(payload, dict):
        subscriber = Subscriber.objects.filter(pk=payload.get("id")).first()
        if subscriber is not None and subscriber.email == payload.get("email"):
            return subscriber
    raise LinkError(expired=False)


def confirm_token(subscriber: Subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(_payload(subscriber))


def subscriber_for_confirm_token(token: str) -> Subscriber:
    try:
        payload = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
            token, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise LinkError(expired=True) from exc
    except signing.BadSignature as exc:
        raise LinkError(expired=False) from exc
    return _subscriber(payload)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(_payload(subscriber))


def subscriber_for_unsubscribe_token(token: str) -> Subscriber:
    try:
        payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature as exc:
        raise LinkError(expired=False) from exc
    return _subscriber(payload, legacy=True)
