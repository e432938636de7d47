"""Share-preview links: an unpublished story, readable without a login until they end.

A link is signed and names the story and its ``share_key``, a random value stored on the
story. A link ends when it expires (``PREVIEW_MAX_AGE``), when someone who may edit the story
revokes the links (a new key: every link made before stops working), and when the story is
unpublished (the key is renewed by the transition, so moving the story back to a draft does
not bring old links back). Links made before keys existed (``<id>:<time>:<signature>``) no
longer work: the editor copies a new one from the story's form.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import constant_time_compare

from .models import Article, Transition

SALT = "articles.preview"


def _new_key() -> str:
    return secrets.token_urlsafe(16)


def key_of(article: Article) -> str:
    """The story's share key, made on first use (a story saved before keys existed has none)."""
    if not article.share_key:
        Article.objects.filter(pk=article.pk, share_key="").update(share_key=_new_key())
        article.share_key = Article.objects.values_list("share_key", flat=True).get(pk=article.pk)
    return article.share_key


def make(article: Article) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{article.pk}.{key_of(article)}")


def url(article: Article) -> str:
    return reverse("articles:preview", kwargs={"token": make(article)})


def revoke(article: Article) -> None:
    """End every share link of ``article``; the next one made works."""
    article.share_key = _new_key()
    Article.objects.filter(pk=article.pk).update(share_key=article.share_key)


def read(token: str) -> tuple[int, str] | None:
    """The story id and key a token names, or None if it is altered, older than
    PREVIEW_MAX_AGE, or of the old keyless kind."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=settings.PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return None
    pk, dot, key = value.partition(".")
    if not dot or not pk.isdigit() or not key:
        return None
    return int(pk), key


def opens(article: Article, key: str) -> bool:
    """Whether a link with ``key`` still opens ``article``: the key is the story's current
    one and the story was not taken down."""
    return (
        bool(article.share_key)
        and constant_time_compare(article.share_key, key)
        and article.status != Article.Status.UNPUBLISHED
    )


@receiver(post_save, sender=Transition, dispatch_uid="share_links_end_on_unpublish")
def _end_links_on_unpublish(sender, instance: Transition, created: bool, **kwargs) -> None:
    if created and instance.to_status == Article.Status.UNPUBLISHED:
        revoke(instance.article)


def private_preview(response):
    """A preview is for one reader: no cache may keep it and no search engine may index it."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
