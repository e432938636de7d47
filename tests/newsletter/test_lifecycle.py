"""A subscription's life from the signup form: pending, a confirmation email, resends,
resubscribing; and what the form gives away (nothing) to bots, floods and the curious."""

import datetime as dt
import re

import pytest
from django.test import Client

from newsletter.models import Subscriber
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/newsletter/subscribe/"
ADDRESS = "reader@example.com"
CONFIRM_LINK = re.compile(r"http://testserver/newsletter/confirm/[^/\s]+/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def reader():
    """A browser on a cached page: no cookie, no CSRF token, and CSRF checks on."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def post(reader, django_capture_on_commit_callbacks):
    """Post the signup form as the page renders it; the transaction commits, so the
    confirmation task runs (at once, as TASKS configures it in tests)."""

    def post(email=ADDRESS, source="/news/a-story/", ip="192.0.2.10", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return reader.post(
                SUBSCRIBE, {"email": email, "source": source, **extra}, REMOTE_ADDR=ip
            )

    return post


def confirm_links(message) -> list[str]:
    return CONFIRM_LINK.findall(message.body)


def public_response(response) -> tuple:
    """Everything a client can observe of an answer, but the clock: never_cache stamps
    Expires with the current second."""
    headers = sorted((k, v) for k, v in response.headers.items() if k != "Expires")
    return response.status_code, response.content, headers


# The confirmation email


def test_signup_mails_a_confirmation_link_with_unsubscribe_headers(post, mailoutbox):
    post("Reader@Example.com")

    (message,) = mailoutbox
    assert message.to == [ADDRESS]
    assert message.from_email == "All Israel News <news@localhost>"
    html = message.alternatives[0].content
    (link,) = confirm_links(message)
    assert f'href="{link}"' in html
    # The unsubscribe link, in the body and in both RFC 8058 headers.
    unsubscribe = re.search(
        r"Unsubscribe: (http://testserver/newsletter/unsubscribe/\S+/)", message.body
    )
    assert unsubscribe, message.body
    assert f'href="{unsubscribe[1]}"' in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe[1]}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "All Israel News, Jerusalem, Israel. desk@example.com" in message.body


def test_header_is_written_as_a_url_not_as_encoded_words(post, mailoutbox):
    """The email library rewrites a long header with no spaces as RFC 2047 encoded words
    (=?utf-8?q?=3Chttp...), which mail clients do not read as a link; it must stay
    plain on one line."""
    post("a-rather-long-address-to-push-the-header-past-78@example.com")

    wire = mailoutbox[0].received.raw
    (line,) = [ln for ln in wire.split(b"\n") if ln.startswith(b"List-Unsubscribe:")]
    assert re.fullmatch(
        rb"List-Unsubscribe: <http://testserver/newsletter/unsubscribe/\S+/>\r?", line
    )
    assert b"=?" not in line


def test_pending_address_is_mailed_again_only_after_the_resend_interval(post, mailoutbox, settings):
    post()
    post()
    post()
    assert len(mailoutbox) == 1, "a second signup within the interval sends nothing"
    first_sent = Subscriber.objects.get().confirmation_sent_at

    # Simulate the interval passing (to the second) by moving the last send back in time.
    interval = dt.timedelta(seconds=settings.NEWSLETTER_RESEND_INTERVAL)
    Subscriber.objects.update(confirmation_sent_at=first_sent - interval)
    post()
    post()

    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == [ADDRESS]
    assert len(confirm_links(mailoutbox[1])) == 1
    assert Subscriber.objects.get().confirmation_sent_at > first_sent


def test_interval_not_yet_passed_by_one_second_sends_nothing(post, mailoutbox, settings):
    post()
    almost = dt.timedelta(seconds=settings.NEWSLETTER_RESEND_INTERVAL - 1)
    Subscriber.objects.update(
        confirmation_sent_at=Subscriber.objects.get().confirmation_sent_at - almost
    )

    post()

    assert len(mailoutbox) == 1


# Nothing tells who is subscribed


@pytest.mark.parametrize("status", ["pending", "confirmed", "unsubscribed"])
def test_the_answer_is_identical_whatever_the_address_status(post, status):
    new = post()
    Subscriber.objects.all().delete()
    make_subscriber(email=ADDRESS, status=status)

    known = post()

    assert new.status_code == 200
    assert public_response(known) == public_response(new)
    assert "<h1>Check your inbox</h1>" in new.text


def test_confirmed_address_signing_up_again_is_left_alone_and_not_mailed(post, mailoutbox):
    subscriber = make_subscriber(email=ADDRESS, source="/first/")

    post(source="/later/")

    after = Subscriber.objects.get()
    assert (after.status, after.source, after.confirmed_at) == (
        "confirmed",
        "/first/",
        subscriber.confirmed_at,
    )
    assert not mailoutbox


def test_resubscribing_after_unsubscribing_is_pending_until_confirmed_again(
    post, mailoutbox, client
):
    gone = make_subscriber(email=ADDRESS, status="unsubscribed", source="/first/")

    post(source="/back-again/")

    subscriber = Subscriber.objects.get()
    assert subscriber.pk == gone.pk
    assert (subscriber.status, subscriber.source) == ("pending", "/back-again/")
    (message,) = mailoutbox
    (link,) = confirm_links(message)
    path = link.removeprefix("http://testserver")
    client.get(path)
    assert Subscriber.objects.get().status == "pending", "following the link is not enough"
    client.post(path)
    assert Subscriber.objects.get().status == "confirmed"


# Bots and floods


def test_rate_limit_per_client_address(post, settings, mailoutbox):
    settings.NEWSLETTER_SIGNUP_RATE = (3, 600)
    answers = [post(f"reader{n}@example.com", ip="203.0.113.7") for n in range(3)]
    assert Subscriber.objects.count() == 3

    over = post("flood@example.com", ip="203.0.113.7")

    assert not Subscriber.objects.filter(email="flood@example.com").exists()
    assert len(mailoutbox) == 3
    # The same page a stored signup of that address gets, from a client under the limit.
    Subscriber.objects.all().delete()
    stored = post("flood@example.com", ip="198.51.100.1")
    assert public_response(over) == public_response(stored)
    assert Subscriber.objects.filter(email="flood@example.com").exists()
    assert all(a.status_code == 200 for a in answers)


def test_rate_limit_does_not_hold_back_other_clients(post, settings):
    settings.NEWSLETTER_SIGNUP_RATE = (1, 600)
    post("first@example.com", ip="203.0.113.7")
    post("second@example.com", ip="203.0.113.7")

    post("third@example.com", ip="203.0.113.8")

    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "first@example.com",
        "third@example.com",
    }


@pytest.mark.parametrize("website", ["http://spam.example/", "x" * 5000])
def test_honeypot_filled_stores_and_sends_nothing_and_answers_the_same(post, mailoutbox, website):
    bot = post(website=website)
    assert not Subscriber.objects.exists()
    assert not mailoutbox

    person = post(website="")

    assert public_response(bot) == public_response(person)
    assert Subscriber.objects.count() == 1


def test_client_ip_address_is_not_stored_on_the_subscriber(post):
    post(ip="198.51.100.23")

    subscriber = Subscriber.objects.get()
    values = {f.name: str(getattr(subscriber, f.attname)) for f in Subscriber._meta.concrete_fields}
    assert not [name for name, value in values.items() if "198.51.100.23" in value]
    assert not [f.name for f in Subscriber._meta.concrete_fields if "ip" in f.name.split("_")]


def test_signup_from_a_cached_page_needs_no_csrf_token(reader):
    """The form's own page, fetched as a CDN would serve it to anyone."""
    page = reader.get("/newsletter/")
    assert "csrfmiddlewaretoken" not in page.text
    assert not page.cookies

    response = reader.post(SUBSCRIBE, {"email": ADDRESS, "source": "/newsletter/"})

    assert response.status_code == 200
    assert Subscriber.objects.get().source == "/newsletter/"
