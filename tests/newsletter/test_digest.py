"""The digest: what it lists and how it reads, and `manage.py send_digest` (or its task):
dry runs, windows, partial runs, idempotence, the lock, and a send loop whose queries do not
grow with the list. (Sending through a real SMTP server: test_smtp.py.)"""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from articles.models import Article
from newsletter import emails, sending, tasks, tokens
from newsletter.models import Delivery, Digest
from tests.factories import make_article, make_image, make_section, make_subscriber

pytestmark = pytest.mark.django_db

SITE = "https://news.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.NEWSLETTER_DIGEST_SUBJECT = "Morning briefing"
    settings.NEWSLETTER_CONTACT_LINE = "Newsroom Ltd, 1 Jaffa Road, Jerusalem"


def send(*args) -> str:
    out = StringIO()
    call_command("send_digest", *args, stdout=out)
    return out.getvalue()


def recipients(mailoutbox) -> list[str]:
    return sorted(m.to[0] for m in mailoutbox)


# What a digest lists and how it reads


def test_digest_lists_new_stories_with_absolute_links_in_html_and_text(mailoutbox, monkeypatch):
    # Pictures however short the digest (when they are left out: tests/newsletter/test_spam.py).
    monkeypatch.setattr(emails, "MIN_WORDS_FOR_IMAGES", 0)
    reader = make_subscriber()
    story = make_article(
        headline="Desalination plant opens",
        dek="It will supply a fifth of the north's water.",
        lead_image=make_image(alt_text="The plant at dawn"),
        section=make_section(name="Environment"),
        published_at=timezone.now() - dt.timedelta(minutes=5),
    )
    other = make_article(
        headline="Knesset passes budget & <tax> law",
        dek="",
        published_at=timezone.now() - dt.timedelta(hours=3),
    )

    send()

    (message,) = mailoutbox
    assert message.to == [reader.email]
    assert message.subject == "Morning briefing"
    text, html = message.body, message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    link = f"{SITE}{story.get_absolute_url()}"
    for part in (text, html):
        assert "Desalination plant opens" in part
        assert "It will supply a fifth of the north" in part
        assert "Knesset passes budget" in part
        assert "All Israel News" in part
        assert "Newsroom Ltd, 1 Jaffa Road, Jerusalem" in part
    assert link in text
    assert f'<a href="{link}"' in html
    assert "Environment" in html
    assert "Knesset passes budget & <tax> law" in text, "plain text is not HTML-escaped"
    assert "Knesset passes budget &amp; &lt;tax&gt; law" in html
    assert f"{SITE}{other.get_absolute_url()}" in text
    image = re.search(r'<img src="([^"]+)" alt="The plant at dawn"', html)
    assert image
    assert image[1].startswith(f"{SITE}/media/")
    # Newest first.
    assert text.index("Desalination plant opens") < text.index("Knesset passes budget")
    assert html.index("Desalination plant opens") < html.index("Knesset passes budget")
    # No relative links anywhere in the HTML.
    assert not re.findall(r'(?:href|src)="/', html)


def test_every_digest_carries_its_reader_own_unsubscribe_link(mailoutbox):
    readers = [make_subscriber() for _ in range(3)]
    make_article()

    send()

    assert recipients(mailoutbox) == sorted(r.email for r in readers)
    for message in mailoutbox:
        header = message.extra_headers["List-Unsubscribe"]
        url = re.fullmatch(r"<(https://news\.example/newsletter/unsubscribe/([^/]+)/)>", header)
        assert url, header
        assert tokens.subscriber_for_unsubscribe_token(url[2]).email == message.to[0]
        assert f"Unsubscribe: {url[1]}" in message.body
        assert f'<a href="{url[1]}"' in message.alternatives[0].content
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_only_confirmed_subscribers_receive_it(mailoutbox):
    confirmed = make_subscriber()
    make_subscriber(status="pending")
    make_subscriber(status="unsubscribed")
    make_article()

    send()

    assert recipients(mailoutbox) == [confirmed.email]


def test_next_digest_lists_only_stories_since_the_previous_one(mailoutbox):
    make_subscriber()
    old = make_article(headline="Yesterday's story")
    send()
    mailoutbox.clear()
    new = make_article(headline="Breaking now", published_at=timezone.now())
    make_article(headline="Still a draft", status="draft", published_at=None)
    make_article(headline="Scheduled", published_at=timezone.now() + dt.timedelta(hours=2))

    send()

    (message,) = mailoutbox
    assert "Breaking now" in message.body
    for absent in ("Yesterday's story", "Still a draft", "Scheduled"):
        assert absent not in message.body
    latest = Digest.objects.order_by("-created_at").first()
    assert list(latest.stories.all()) == [new]
    assert latest.since == Digest.objects.exclude(pk=latest.pk).get().until
    assert old not in latest.stories.all()


def test_no_new_stories_sends_nothing_and_creates_nothing(mailoutbox):
    make_subscriber()

    out = send()

    assert "nothing to send" in out
    assert not mailoutbox
    assert not Digest.objects.exists()


# The command's options and the task


def test_dry_run_writes_and_sends_nothing(mailoutbox):
    make_subscriber()
    make_subscriber()
    make_article()
    make_article()

    out = send("--dry-run")

    assert "Would send a new digest of 2 stories" in out
    assert "to 2 confirmed subscribers" in out
    assert not mailoutbox
    assert not Digest.objects.exists()
    assert not Delivery.objects.exists()


def test_since_reaches_further_back_than_the_default_window(mailoutbox):
    make_subscriber()
    make_article(headline="A month ago", published_at=timezone.now() - dt.timedelta(days=30))

    send()
    assert not mailoutbox, "older than NEWSLETTER_FIRST_DIGEST_DAYS"

    since = (timezone.now() - dt.timedelta(days=40)).isoformat()
    send("--since", since)

    (message,) = mailoutbox
    assert "A month ago" in message.body


def test_since_must_be_a_time():
    with pytest.raises(CommandError, match="--since must be an ISO 8601 time"):
        send("--since", "last tuesday")


def test_limit_recipients_sends_to_n_and_a_rerun_to_the_rest(mailoutbox):
    readers = [make_subscriber() for _ in range(5)]
    make_article()

    send("--limit-recipients", "2")

    assert len(mailoutbox) == 2
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.SENDING
    assert digest.finished_at is None

    send("--limit-recipients", "2")
    send()

    assert recipients(mailoutbox) == sorted(r.email for r in readers)
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT
    assert Digest.objects.count() == 1


def test_the_task_does_what_the_command_does(mailoutbox):
    readers = [make_subscriber() for _ in range(2)]
    make_article(headline="Sent by the worker")

    result = tasks.send_latest_digest.enqueue()

    assert result.status == "SUCCESSFUL", result.errors
    assert result.return_value == "2 sent, 0 failed, finished"
    assert recipients(mailoutbox) == sorted(r.email for r in readers)
    assert "Sent by the worker" in mailoutbox[0].body
    assert tasks.send_latest_digest.enqueue().return_value == "nothing to send"
    assert len(mailoutbox) == 2


# Idempotence, status and the lock


def test_rerun_sends_nobody_the_same_digest_twice(mailoutbox, digest):
    readers = [make_subscriber() for _ in range(3)]
    sending.send_digest(digest)
    late = make_subscriber()
    Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.SENDING)

    sending.send_digest(digest)
    send()

    assert recipients(mailoutbox) == sorted(r.email for r in [*readers, late])
    assert Delivery.objects.filter(digest=digest, status="sent").count() == 4


def test_status_and_times_of_a_send(mailoutbox, digest):
    make_subscriber()
    before = timezone.now()
    assert digest.status == Digest.Status.DRAFT

    seen = []
    report = sending.send_digest(
        digest, progress=lambda r: seen.append(Digest.objects.get(pk=digest.pk).status)
    )

    assert seen == [Digest.Status.SENDING]
    assert (report.sent, report.failed, report.finished) == (1, 0, True)
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT
    assert before <= digest.started_at <= digest.finished_at <= timezone.now()


# Queries


@pytest.mark.parametrize("readers", [5, 10])
def test_send_loop_queries_do_not_grow_with_the_list(
    settings, digest, mailoutbox, django_assert_num_queries, readers
):
    """Per batch: a constant few queries plus one write per message.

    With NEWSLETTER_BATCH_SIZE = 5 and B = readers / 5 full batches:
      3 to start: read the status, set started_at, set status "sending"
      1 the first time: read the stories to render them
      per batch, 3 + 5: read the batch, read which stories are still published, read its
                        earlier attempts, and one Delivery upsert per message
      3 to end: read the next (empty) batch, check nobody is left, set "sent"
    so 3 + 1 + 8B + 3: 15 for 5 readers, 23 for 10. PostgreSQL adds 4: the advisory lock
    taken and released, the SET and RESET of synchronous_commit around the run."""
    settings.NEWSLETTER_BATCH_SIZE = 5
    for _ in range(readers):
        make_subscriber()
    batches = readers // 5
    expected = 3 + 1 + batches * (3 + 5) + 3 + (4 if connection.vendor == "postgresql" else 0)

    with django_assert_num_queries(expected):
        report = sending.send_digest(digest)

    assert report.sent == readers == len(mailoutbox)


# Stories taken down mid-send


def test_a_story_taken_down_mid_send_is_left_out_of_every_later_batch(settings, mailoutbox):
    settings.NEWSLETTER_BATCH_SIZE = 2
    kept = make_article(headline="Cranes return to the Hula")
    pulled = make_article(headline="A story the desk takes down")
    digest = Digest.objects.create(
        subject="Latest", since=kept.published_at, until=kept.published_at
    )
    digest.stories.set([kept, pulled])
    for _ in range(6):
        make_subscriber()

    def take_down_after_first_batch(report):
        if report.sent == 2:
            pulled.move_to(Article.Status.UNPUBLISHED)

    report = sending.send_digest(digest, progress=take_down_after_first_batch)

    assert report.finished
    with_pulled = ["A story the desk takes down" in m.body for m in mailoutbox]
    assert with_pulled == [True, True, False, False, False, False]
    assert all("Cranes return to the Hula" in m.body for m in mailoutbox)


def test_a_digest_whose_every_story_was_taken_down_is_cancelled(settings, mailoutbox):
    settings.NEWSLETTER_BATCH_SIZE = 2
    story = make_article(headline="Only story")
    digest = Digest.objects.create(
        subject="Latest", since=story.published_at, until=story.published_at
    )
    digest.stories.set([story])
    for _ in range(5):
        make_subscriber()

    report = sending.send_digest(
        digest, progress=lambda r: story.move_to(Article.Status.UNPUBLISHED)
    )

    assert len(mailoutbox) == 2
    assert report.stopped.startswith("cancelled")
    digest.refresh_from_db()
    assert digest.status == Digest.Status.CANCELLED
    assert sending.send_digest(digest).sent == 0  # a rerun sends nothing more
    assert not sending.unfinished_digests().exists()
