"""Background work for the image library, through Django's Tasks framework (at once, in
process, locally and in tests; queued in the database in production, for `manage.py db_worker`).
"""

import logging

from django.dispatch import receiver
from django.tasks import TaskResultStatus, task

from .models import Image
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


@receiver(renditions_wanted, sender=Image, dispatch_uid="renditions_enqueued")
def enqueue_renditions(sender, instance: Image, **kwargs) -> None:
    # Enqueued in the same transaction as the save: with the database task queue the task row
    # commits with the image or not at all; the immediate backend runs it now.
    result = make_renditions.enqueue(instance.pk)
    if result.status == TaskResultStatus.SUCCESSFUL:
        # The immediate backend has made them already: show them on this instance too.
        instance.refresh_from_db(fields=["renditions", "file_bytes"])
