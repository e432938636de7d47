"""Background work, through Django's Tasks framework (at once locally; a queue in production)."""

from django.tasks import task

from . import emails, sending
from .models import Digest, Subscriber


@task()
def send_confirmation(subscriber_id: int) -> bool:
    """Mail the confirmation link to a pending subscriber."""
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, status=Subscriber.Status.PENDING
    ).first()
    if subscriber is None:
        return False
    emails.confirmation_message(subscriber).send()
    return True


@task()
def send_digest(digest_id: int) -> str:
    """Send (or resume) one digest."""
    return str(sending.send_digest(Digest.objects.get(pk=digest_id)))


@task()
def send_latest_digest() -> str:
    """What `manage.py send_digest` does, for a worker or a scheduler: resume unfinished
    digests, then send one of the stories published since the last."""
    reports = [str(sending.send_digest(d)) for d in sending.unfinished_digests()]
    digest = sending.create_digest()
    if digest is not None:
        reports.append(str(sending.send_digest(digest)))
    return "; ".join(reports) or "nothing to send"
