"""Signed links: confirmation links expire, unsubscribe links never do.

Both carry the subscriber's id and address, so a link made for one address cannot act on a
row that has since been given to another; neither needs a table of its own.
"""

from django.conf import settings
from django.core import signing

from .models import Subscriber

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


class LinkError(Exception):
    """A link that cannot be used; ``expired`` tells an old link from a broken one."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _payload(subscriber: Subscriber) -> dict:
    return {"id": subscriber.pk, "email": subscriber.email}


def _subscriber(payload) -> Subscriber:
    if not isinstance(payload, dict):
        raise LinkError(expired=False)
    subscriber = Subscriber.objects.filter(pk=payload.get("id")).first()
    if subscriber is None or subscriber.email != payload.get("email"):
        raise LinkError(expired=False)
    return subscriber


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
    return _subscriber(payload)
