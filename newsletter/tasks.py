"""Background work, through Django's Tasks framework (at once locally; a queue in production)."""

from django.tasks import task

from . import confirmations, sending, services
from .confirmations import send_confirmation  # noqa: F401 - queued rows name it here too
from .models import Digest


@task()
def process_signup(email: str, source: str = "", consent_text: str = "") -> str:
    """A signup from the form: recorded here, in the worker, so the request that queued it
    did the same work whoever the address belongs to."""
    subscriber = services.subscribe(email=email, source=source, consent_text=consent_text)
    confirmation = subscriber.confirmation or "none"
    return f"subscriber {subscriber.pk}: {subscriber.status}, confirmation {confirmation}"


@task()
def send_due_confirmations() -> str:
    """Confirmations whose retry time has come (for a scheduler; see ``confirmations``)."""
    return str(confirmations.send_due())


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
