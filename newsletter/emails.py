"""The newsletter's messages: a confirmation request and the digest.

Every message carries a signed unsubscribe link in its body and in the ``List-Unsubscribe``
and ``List-Unsubscribe-Post`` headers (RFC 8058), so mail clients can offer one click.
"""

import html as html_lib
from dataclasses import dataclass
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags

from articles.models import Article

from . import tokens
from .models import Digest, Subscriber

# Rendered once per digest; each message swaps in its reader's own link.
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/placeholder"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = tokens.unsubscribe_token(subscriber)
    return absolute(reverse("newsletter:unsubscribe", kwargs={"token": token}))


class _OneLineHeader(str):
    """A header value the email library writes out as it is, on one line.

    The library folds a header longer than 78 characters, and a long word with no space to
    break at (an unsubscribe URL with its token) it rewrites as RFC 2047 encoded words
    (``=?utf-8?q?=3Chttps=3A//...?=``), which mail clients do not read as a URL: Gmail and
    Yahoo would then offer no one-click unsubscribe. RFC 5322 allows lines of up to 998
    characters; a str with a ``name`` and a ``fold()`` is stored and written unchanged."""

    def __new__(cls, name: str, value: str):
        if len(name) + len(value) + 2 > 998 or any(ch in value for ch in "\r\n\0"):
            raise ValueError(f"{name} cannot be written on one line: {value!r}")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __getnewargs__(self):  # copies and pickles (the locmem backend copies each message)
        return (self.name, str(self))

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def mail_domain() -> str:
    """The domain in Message-IDs: the site's own, not the sending machine's host name."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _message(subject: str, text: str, html: str, to: str, url: str, message_id: str = ""):
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": message_id or make_msgid("newsletter", domain=mail_domain()),
            "List-Unsubscribe": _OneLineHeader("List-Unsubscribe", f"<{url}>"),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    token = tokens.confirm_token(subscriber)
    url = unsubscribe_url(subscriber)
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "confirm_url": absolute(reverse("newsletter:confirm", kwargs={"token": token})),
        "unsubscribe_url": url,
        "contact_line": settings.NEWSLETTER_CONTACT_LINE,
        "days": settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400,
    }
    return _message(
        f"Confirm your subscription to {settings.SITE_NAME}",
        render_to_string("newsletter/email/confirm.txt", context),
        render_to_string("newsletter/email/confirm.html", context),
        subscriber.email,
        url,
    )


@dataclass(frozen=True)
class DigestContent:
    digest_id: int
    subject: str
    text: str
    html: str

    def message_for(self, subscriber: Subscriber) -> EmailMultiAlternatives:
        # One Message-ID per digest and reader: a message sent again after a crash (see
        # newsletter.sending) is shown once by mail clients.
        message_id = f"<digest-{self.digest_id}.{subscriber.pk}@{mail_domain()}>"
        return self.message(subscriber.email, unsubscribe_url(subscriber), message_id=message_id)

    def message(
        self, to: str, url: str, subject_prefix: str = "", message_id: str = ""
    ) -> EmailMultiAlternatives:
        return _message(
            subject_prefix + self.subject,
            self.text.replace(UNSUBSCRIBE_PLACEHOLDER, url),
            self.html.replace(UNSUBSCRIBE_PLACEHOLDER, url),
            to,
            url,
            message_id,
        )


def digest_content(digest: Digest) -> DigestContent:
    """The digest rendered once, for every recipient, of its stories readers can still see
    (one taken down since it was made is left out)."""
    stories = list(
        Article.objects.published()
        .filter(digests=digest)
        .select_related("lead_image", "section")
        .order_by("-published_at", "pk")
    )
    context = {
        "digest": digest,
        "stories": stories,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "contact_line": settings.NEWSLETTER_CONTACT_LINE,
        "teaser_words": TEASER_WORDS,
        "with_images": True,
    }
    html = render_to_string("newsletter/email/digest.html", context)
    if words_in(html) < MIN_WORDS_FOR_IMAGES:
        # Pictures that outweigh the words are what spam filters look for (SpamAssassin's
        # HTML_IMAGE_ONLY rules score HTML with images and under 3,200 bytes of text): a
        # short digest goes out with its words and links, and no pictures.
        context["with_images"] = False
        html = render_to_string("newsletter/email/digest.html", context)
    return DigestContent(
        digest_id=digest.pk,
        subject=digest.subject,
        text=render_to_string("newsletter/email/digest.txt", context),
        html=html,
    )


TEASER_WORDS = 60  # how much of each story's opening a digest quotes
MIN_WORDS_FOR_IMAGES = 3400  # bytes of text, with a margin over SpamAssassin's 3,200


def words_in(markup: str) -> int:
    """Bytes of text in an HTML part, roughly as spam filters count them."""
    body = markup.split("<body", 1)[-1]
    return len(" ".join(html_lib.unescape(strip_tags(body)).split()).encode())


def test_message(digest: Digest, to: str) -> EmailMultiAlternatives:
    """The digest as subscribers get it, to a member of staff; its unsubscribe link leads to
    the signup page, since the address may not be a subscriber."""
    signup = absolute(reverse("newsletter:signup"))
    return digest_content(digest).message(to, signup, subject_prefix="[Test] ")
