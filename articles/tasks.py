"""Background work for the image library, through Django's Tasks framework (at once, in
process, locally and in tests; queued in the database in production, for `manage.py db_worker`).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.dispatch import receiver
from django.tasks import TaskResultStatus, task
from django.urls import reverse

from .models import Image, StaffNote
from .signals import renditions_wanted

logger = logging.getLogger(__name__)


@task()
def make_renditions(image_id: int) -> dict:
    """Write an image's resized WebP and JPEG copies and record them; return the record.

    Safe to run more than once: copies already made for the stored picture are kept. An image
    deleted, or given another picture, before this runs is left to its own task."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None or not image.file:
        return {}
    try:
        image.make_renditions()
    except Exception:
        # The immediate backend records a failure without raising it: say so in the log.
        logger.exception("Making the renditions of image %s failed", image_id)
        raise
    return image.renditions


@task()
def mail_mention(note_id: int) -> int:
    """Email everyone a staff note names (``@username``) with the note and a link to the
    story's form; return how many messages were sent."""
    note = StaffNote.objects.select_related("article", "author").filter(pk=note_id).first()
    if note is None:
        return 0
    who = note.author.get_username() if note.author else "Someone"
    link = settings.SITE_URL + reverse("admin:articles_article_change", args=[note.article_id])
    sent = 0
    for person in note.mentioned.exclude(email=""):
        EmailMessage(
            subject=f"{who} mentioned you on “{note.article.headline}”",
            body=f"{who} wrote on “{note.article.headline}”:\n\n{note.text}\n\n"
            f"Open the story: {link}#staff-notes\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
        ).send()
        sent += 1
    return sent


@receiver(renditions_wanted, sender=Image, dispatch_uid="renditions_enqueued")
def enqueue_renditions(sender, instance: Image, **kwargs) -> None:
    # Enqueued in the same transaction as the save: with the database task queue the task row
    # commits with the image or not at all; the immediate backend runs it now.
    result = make_renditions.enqueue(instance.pk)
    if result.status == TaskResultStatus.SUCCESSFUL:
        # The immediate backend has made them already: show them on this instance too.
        instance.refresh_from_db(fields=["renditions", "file_bytes"])
