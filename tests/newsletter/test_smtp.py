"""End to end through a real SMTP server on loopback (aiosmtpd, see conftest.py): what
leaves Django is what a mail server receives, byte for byte, including its failures."""

import re
import socket
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from newsletter import emails, sending
from newsletter.models import Delivery, Digest, Subscriber
from tests.factories import make_article, make_subscriber

SITE = "http://testserver"
FROM = "All Israel News <news@localhost>"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def run(*args) -> str:
    out = StringIO()
    call_command("send_digest", *args, stdout=out)
    return out.getvalue()


def assert_unsubscribe_headers(received) -> str:
    """The RFC 8058 pair, as written on the wire; the URL, which the body also carries."""
    header = received.raw_header("List-Unsubscribe")
    match = re.fullmatch(rf"<({SITE}/newsletter/unsubscribe/[^/\s]+/)>", header)
    assert match, f"not a plain <url>: {header!r}"
    assert received.raw_header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    url = match[1]
    assert url in received.text()
    assert f'href="{url}"' in received.html()
    return url


@pytest.mark.django_db(transaction=True)
def test_signup_confirm_digest_one_click_unsubscribe(smtp_server):
    browser = Client(enforce_csrf_checks=True)
    bystander = make_subscriber(email="bystander@example.com")

    # Signup: the confirmation request reaches the server, with the headers mail clients use.
    response = browser.post(
        "/newsletter/subscribe/", {"email": "Dana@Example.com", "source": "/news/water/"}
    )
    assert response.status_code == 200
    (confirmation,) = smtp_server.received
    assert confirmation.rcpt_tos == ["dana@example.com"]
    assert confirmation.mail_from == "news@localhost"
    message = confirmation.message
    assert message["From"] == FROM
    assert message["To"] == "dana@example.com"
    assert message["Subject"] == "Confirm your subscription to All Israel News"
    assert message.get_content_type() == "multipart/alternative"
    assert_unsubscribe_headers(confirmation)

    # The link in the text part: following it changes nothing, the button confirms.
    confirm = re.search(rf"{SITE}(/newsletter/confirm/\S+/)", confirmation.text())[1]
    assert f'href="{SITE}{confirm}"' in confirmation.html()
    assert browser.get(confirm).status_code == 200
    assert Subscriber.objects.get(email="dana@example.com").status == "pending"
    assert "<h1>You are subscribed</h1>" in browser.post(confirm).text
    assert Subscriber.objects.get(email="dana@example.com").status == "confirmed"

    # A story, a digest: it arrives with both parts and absolute links.
    story = make_article(headline="Cranes return to the Hula", published_at=timezone.now())
    smtp_server.clear()
    run()
    assert Counter(smtp_server.per_recipient()) == {
        "dana@example.com": 1,
        "bystander@example.com": 1,
    }
    (digest,) = smtp_server.to("dana@example.com")
    assert digest.message["Subject"] == "All Israel News: Latest news & updates"
    assert digest.message["From"] == FROM
    link = f"{SITE}{story.get_absolute_url()}"
    assert "Cranes return to the Hula" in digest.text()
    assert link in digest.text()
    assert f'<a href="{link}"' in digest.html()
    unsubscribe = assert_unsubscribe_headers(digest)

    # The mail client's one-click unsubscribe: a POST to the header's URL.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe.removeprefix(SITE),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    dana = Subscriber.objects.get(email="dana@example.com")
    assert (dana.status, dana.left_by) == ("unsubscribed", "one-click")
    assert dana.unsubscribed_at is not None

    # The next digest goes out, but not to her.
    make_article(headline="Second story", published_at=timezone.now())
    smtp_server.clear()
    run()
    assert smtp_server.per_recipient() == {bystander.email: 1}
    assert "Second story" in smtp_server.received[0].text()
    assert not smtp_server.to("dana@example.com")


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["421", "drop"])
def test_mail_server_dying_mid_send_is_resumed_without_duplicates(smtp_server, settings, failure):
    settings.NEWSLETTER_BATCH_SIZE = 5
    readers = [make_subscriber() for _ in range(12)]
    make_article(headline="Power cut")
    smtp_server.fail_after, smtp_server.failure = 7, failure

    with pytest.raises(CommandError) as stopped:
        run()

    assert "Stopped: mail server error" in str(stopped.value)
    assert "Run again to resume" in str(stopped.value)
    assert ("421" if failure == "421" else "SMTPServerDisconnected") in str(stopped.value)
    assert len(smtp_server.received) == 7
    digest = Digest.objects.get()
    # Exactly the seven accepted are recorded, and the server's 421 was blamed on no reader.
    assert Delivery.objects.filter(status="sent").count() == 7
    assert not Delivery.objects.exclude(status="sent").exists()
    assert digest.status == "sending"

    smtp_server.fail_after = None
    run()

    assert smtp_server.per_recipient() == {r.email: 1 for r in readers}
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT
    assert digest.finished_at is not None
    assert Delivery.objects.filter(status="sent").count() == 12


@pytest.mark.django_db
def test_mail_server_down_stops_the_run_and_records_nothing(settings):
    make_subscriber()
    make_article()
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }

    with pytest.raises(CommandError, match=r"ConnectionRefusedError.*Run again to resume"):
        run()

    assert not Delivery.objects.exists()
    digest = Digest.objects.get()
    assert digest.status == "sending"


@pytest.mark.django_db
def test_refused_recipient_is_recorded_retried_then_given_up(smtp_server, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    good = make_subscriber(email="good@example.com")
    bad = make_subscriber(email="gone@example.com")
    make_article()
    smtp_server.refuse = {"gone@example.com"}

    run()

    assert smtp_server.per_recipient() == {"good@example.com": 1}
    failed = Delivery.objects.get(subscriber=bad)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "550" in failed.error
    assert "mailbox unavailable" in failed.error
    digest = Digest.objects.get()
    assert digest.status == "sending", "a retry is still due"

    run()
    assert Delivery.objects.get(subscriber=bad).attempts == 2
    assert Digest.objects.get().status == "sending"
    run()
    assert Delivery.objects.get(subscriber=bad).attempts == 3
    assert Digest.objects.get().status == "sent", "given up after NEWSLETTER_MAX_ATTEMPTS"

    smtp_server.refuse = set()
    run()
    assert Delivery.objects.get(subscriber=bad).attempts == 3
    assert smtp_server.per_recipient() == {"good@example.com": 1}
    assert Delivery.objects.get(subscriber=good).attempts == 1


@pytest.mark.django_db
def test_refused_recipient_that_accepts_on_retry_is_sent_once(smtp_server):
    reader = make_subscriber(email="full@example.com")
    make_article()
    smtp_server.refuse = {"full@example.com"}
    run()
    assert not smtp_server.received

    smtp_server.refuse = set()
    run()
    run()

    assert smtp_server.per_recipient() == {"full@example.com": 1}
    delivery = Delivery.objects.get(subscriber=reader)
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")
    assert Digest.objects.get().status == "sent"


@pytest.mark.django_db
def test_digest_on_the_wire_has_text_and_html_parts(smtp_server, digest, monkeypatch):
    monkeypatch.setattr(emails, "MIN_WORDS_FOR_IMAGES", 0)  # pictures however short
    make_subscriber(email="reader@example.com")

    sending.send_digest(digest)

    (received,) = smtp_server.received
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Cranes return to the Hula" in received.text()
    assert "Thousands stop on the way south." in received.html()
    assert re.search(rf'<img src="{SITE}/media/[^"]+"', received.html())
    assert_unsubscribe_headers(received)


@pytest.mark.django_db
def test_signup_answers_the_same_when_the_confirmation_is_refused(
    smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse = {"gone@example.com"}
    browser = Client(enforce_csrf_checks=True)

    with django_capture_on_commit_callbacks(execute=True):
        refused = browser.post("/newsletter/subscribe/", {"email": "gone@example.com"})
        accepted = browser.post("/newsletter/subscribe/", {"email": "fine@example.com"})

    assert refused.status_code == accepted.status_code == 200
    assert refused.content == accepted.content.replace(b"fine@example.com", b"gone@example.com")
    assert smtp_server.per_recipient() == {"fine@example.com": 1}
    assert set(Subscriber.objects.values_list("email", "status")) == {
        ("gone@example.com", "pending"),
        ("fine@example.com", "pending"),
    }
