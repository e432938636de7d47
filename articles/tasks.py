"""Background work for the image library, through Django's Tasks framework (at once, in
process, locally and in tests; queued in the database in production, for `manage.py db_worker`).
"""

import logging

from django.tasks import task

from .models import Image

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
