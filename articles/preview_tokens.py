"""Signed preview links: an unpublished story, readable without a login until they expire."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

SALT = "articles.preview"


def make(article) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(article.pk))


def url(article) -> str:
    return reverse("articles:preview", kwargs={"token": make(article)})


def article_id(token: str) -> int | None:
    """The story a token names, or None if it is altered or older than PREVIEW_MAX_AGE."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=settings.PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def private_preview(response):
    """A preview is for one reader: no cache may keep it and no search engine may index it."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
