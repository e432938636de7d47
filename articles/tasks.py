"""Background work (image renditions, mentions, related stories), through Django's Tasks
framework (at once, in process, locally and in tests; queued in the database in production,
for `manage.py db_worker`).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.tasks import TaskResultStatus, task
from django.urls import reverse

from newsroom.deferred import Deferral

from . import related
from .models import Article, Image, StaffNote
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


@task()
def compute_related(article_id: int) -> list[int]:
    """A story's "Related stories" (and its neighbours'), after it was published or changed."""
    article = Article.objects.filter(pk=article_id).first()
    return related.compute(article) if article is not None else []


@task()
def compute_all_related() -> int:
    """Every public story's "Related stories", after a bulk write (an import); the count."""
    return related.compute_all()


# While a bulk write runs: a list holding True once a story's related stories were wanted.
# Skip each story's related-stories task while a bulk write (an import) runs, and queue one
# task for every story's at its end instead: computed per story, each list would be made again
# as every later story joined the pool.
_bulk = Deferral("related_deferred", lambda: compute_all_related.enqueue())
related_deferred = _bulk.during


def _queue_related(article: Article) -> None:
    """Once per story and transaction, when it commits: the story's text, tags and pins are
    all saved by then (the admin saves tags after the story)."""
    if article.pk is None or article.__dict__.get("related_queued"):
        return
    if _bulk.defer():
        return
    article.__dict__["related_queued"] = True

    def run():
        article.__dict__.pop("related_queued", None)
        compute_related.enqueue(article.pk)

    transaction.on_commit(run)


@receiver(post_save, sender=Article, dispatch_uid="related_article_saved")
def related_article_saved(sender, instance: Article, raw=False, **kwargs):
    was_public = instance.stored.get("status") == Article.Status.PUBLISHED
    if not raw and (instance.is_public or was_public or instance.is_scheduled):
        _queue_related(instance)


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="related_tags_changed")
@receiver(m2m_changed, sender=Article.related_pinned.through, dispatch_uid="related_pins")
@receiver(m2m_changed, sender=Article.related_excluded.through, dispatch_uid="related_excl")
def related_choice_changed(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not reverse:
        _queue_related(instance)
