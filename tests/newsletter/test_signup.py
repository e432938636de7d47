"""Newsletter signup: the form on every cached page, posted without a CSRF token."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from newsletter.addresses import DOMAIN_MESSAGE as DOMAIN
from newsletter.addresses import ENCODED_MESSAGE as ENCODED
from newsletter.addresses import INVALID_MESSAGE as INVALID
from newsletter.addresses import NON_ASCII_MESSAGE as NON_ASCII
from newsletter.addresses import QUOTED_MESSAGE as QUOTED
from newsletter.forms import CONSENT_TEXT
from newsletter.models import Subscriber
from tests.factories import make_article

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/newsletter/subscribe/"


@pytest.fixture
def reader():
    """A reader's browser: CSRF checks on, as in production (the test client skips them)."""
    return Client(enforce_csrf_checks=True)


def signup(client, email, source="/news/a-story/"):
    return client.post(SUBSCRIBE, {"email": email, "source": source})


def hidden_source(html: str) -> str:
    match = re.search(r'<input type="hidden" name="source" value="([^"]*)">', html)
    assert match, "no source field in the signup form"
    return match.group(1)


# The signup page


def test_signup_page_shows_the_form_with_a_label(client):
    response = client.get("/newsletter/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="signup-email-page">Email address</label>' in html
    assert re.search(r'<input id="signup-email-page" type="email" name="email" required', html)
    assert f'action="{SUBSCRIBE}" method="post"' in html
    assert 'aria-invalid="true"' not in html
    assert hidden_source(html) == "/newsletter/"


def test_get_subscribe_is_not_allowed(client):
    response = client.get(SUBSCRIBE)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert not Subscriber.objects.exists()


# A valid signup


def test_signup_stores_one_pending_subscriber(
    reader, mailoutbox, django_capture_on_commit_callbacks
):
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = signup(reader, "Reader@Example.com", source="/news/desalination-plant/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Check your inbox</h1>" in html
    assert "<strong>reader@example.com</strong>" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response["Cache-Control"]
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.source == "/news/desalination-plant/"
    assert subscriber.consent_text == CONSENT_TEXT
    assert before <= subscriber.created_at <= timezone.now()
    assert before <= subscriber.confirmation_sent_at <= timezone.now()
    assert (subscriber.confirmed_at, subscriber.unsubscribed_at, subscriber.left_by) == (
        None,
        None,
        "",
    )
    # The confirmation request went out through the Tasks framework, once.
    assert [m.to for m in mailoutbox] == [["reader@example.com"]]
    assert mailoutbox[0].subject == "Confirm your subscription to All Israel News"


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("reader@example.com", "reader@example.com"),
        ("reader@example.com", "READER@Example.COM"),
        ("reader@example.com", "  reader@example.com "),
        ("reader@bücher.example", "reader@xn--bcher-kva.example"),
        ("reader@xn--bcher-kva.example", "Reader@BÜCHER.example"),
    ],
)
def test_repeat_signup_creates_nothing_and_answers_the_same(reader, first, again):
    first_response = signup(reader, first, source="/first/")
    second_response = signup(reader, again, source="/second/")

    assert first_response.status_code == second_response.status_code == 200
    assert second_response.content == first_response.content
    subscriber = Subscriber.objects.get()
    assert subscriber.source == "/first/"
    assert subscriber.status == Subscriber.Status.PENDING


def test_signup_for_a_confirmed_address_changes_nothing(reader, mailoutbox):
    as_new = signup(reader, "reader@example.com", source="/first/")
    known = Subscriber.objects.get()
    known.confirm()

    response = signup(reader, "Reader@example.com", source="/later/")

    assert response.status_code == 200
    assert response.content == as_new.content
    subscriber = Subscriber.objects.get()
    assert (subscriber.pk, subscriber.status, subscriber.source, subscriber.created_at) == (
        known.pk,
        Subscriber.Status.CONFIRMED,
        "/first/",
        known.created_at,
    )
    assert subscriber.confirmed_at == known.confirmed_at
    assert not mailoutbox


# Invalid addresses


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address."),
        ("   ", "Enter your email address."),
        ("reader.example.com", INVALID),
        ("reader@", INVALID),
        ("@example.com", INVALID),
        ("reader@mail@example.com", INVALID),
        ("reader @example.com", INVALID),
        ("reader@exa mple.com", INVALID),
        ('"two words"@example.com', INVALID),
        ("reader@example", DOMAIN),
        ("root@localhost", DOMAIN),
        ("reader@[127.0.0.1]", DOMAIN),
        ("reader@-example.com", DOMAIN),
        ("reader@example.invalid", DOMAIN),
        ("reader@example.123", DOMAIN),
        ("reader@example..com", DOMAIN),
        # Mail software decodes this into a@evil.com@example.com: refused, with the reason.
        ("=?utf-8?q?a=40evil.com?=@example.com", ENCODED),
        ("=?utf-8?b?YUBldmlsLmNvbQ==?=@example.com", ENCODED),
        ('"a@evil.com"@example.com', QUOTED),
        ("dänä@example.com", NON_ASCII),
        ("a" * 243 + "@example.com", "That email address is too long."),
        ("a" * 65 + "@example.com", "That email address is too long."),
        # 235 characters as typed, 301 once the domain is written in ASCII (punycode).
        ("a@" + ".".join(["ü" * 20] * 11) + ".de", "That email address is too long."),
    ],
)
def test_invalid_address_is_refused_with_a_clear_error(reader, email, message):
    response = signup(reader, email)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p id="signup-error" class="form-error" role="alert">{message}</p>' in html
    assert re.search(
        r'<input id="signup-email-page"[^>]* aria-invalid="true" aria-describedby="signup-error"',
        html,
    )
    assert not Subscriber.objects.exists()


def test_the_limit_is_254_characters(reader):
    longest = "a" * 60 + "@" + "b" * 63 + "." + "b" * 63 + "." + "b" * 61 + ".com"
    assert len(longest) == 254

    assert signup(reader, longest).status_code == 200
    assert Subscriber.objects.get().email == longest


@pytest.mark.parametrize(
    "email",
    [
        "reader@example.com\r\nBcc: victim@example.com",
        "reader@example.com\r\n",
        "reader@example.com\n",
        "\nreader@example.com",
        "reader\r\n@example.com",
        "reader@example.com\x00",
        "reader%0a@example.com",
        "reader%0D%0Abcc%3Avictim@example.com",
        "reader@example.com%0a",
    ],
)
def test_header_injection_is_refused(reader, email):
    response = signup(reader, email)

    assert response.status_code == 400
    assert INVALID in response.content.decode()
    assert not Subscriber.objects.exists()


def test_header_injection_in_the_raw_form_body_is_refused(reader):
    response = reader.post(
        SUBSCRIBE,
        "email=reader%40example.com%0d%0aBcc%3a+victim%40example.com&source=%2F",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_rerendered_form_keeps_what_was_typed_escaped(reader):
    response = signup(reader, '"><script>alert(1)</script>')

    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


# Where the signup came from


@pytest.mark.parametrize(
    "source",
    [
        "http://evil.example/",
        "https://evil.example/news/story/",
        "//evil.example",
        "//evil.example/news/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "news/relative/",
        "/news/\r\nSet-Cookie: x=1",
    ],
)
def test_source_that_is_not_a_path_on_this_site_is_stored_empty(reader, source):
    response = signup(reader, "reader@example.com", source=source)

    assert response.status_code == 200
    assert Subscriber.objects.get().source == ""


def test_source_is_optional(reader):
    response = reader.post(SUBSCRIBE, {"email": "reader@example.com"})

    assert response.status_code == 200
    assert Subscriber.objects.get().source == ""


def test_overlong_source_is_cut_not_refused(reader):
    source = "/news/" + "a" * 600

    response = signup(reader, "reader@example.com", source=source)

    assert response.status_code == 200
    assert Subscriber.objects.get().source == source[:500]


def test_form_shown_again_after_an_error_keeps_the_source(reader):
    response = signup(reader, "not an address", source="/news/desalination-plant/")

    assert response.status_code == 400
    assert hidden_source(response.content.decode()) == "/news/desalination-plant/"


def test_form_shown_again_after_an_error_drops_a_foreign_source(reader):
    response = signup(reader, "not an address", source="http://evil.example/")

    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


# The signup box on the shared, cached pages


@pytest.mark.parametrize("page", ["home", "article"])
def test_signup_box_on_public_pages_needs_no_token_and_sets_no_cookie(reader, page):
    story = make_article(headline="Desalination plant opens", slug="desalination-plant")
    url = "/" if page == "home" else story.get_absolute_url()

    response = reader.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<form action="{SUBSCRIBE}" method="post" class="signup-form">' in html
    assert "csrfmiddlewaretoken" not in html
    assert "Set-Cookie" not in response.serialize_headers().decode()
    assert not response.cookies

    # The box as the page renders it works for a reader with no cookie and no token.
    posted = signup(reader, "reader@example.com", source=hidden_source(html))
    assert posted.status_code == 200
    assert "Set-Cookie" not in posted.serialize_headers().decode()
    assert Subscriber.objects.get().source == url
