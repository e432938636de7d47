"""The newsletter's admin: subscriber counts, export, unsubscribe; digests' counts, preview,
test send and a send that cannot start twice."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Delivery, Digest, Subscriber
from tests.factories import make_article, make_image, make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def digest():
    story = make_article(headline="Cranes return to the Hula", lead_image=make_image())
    digest = Digest.objects.create(
        subject="Latest news & updates", since=story.published_at, until=story.published_at
    )
    digest.stories.set([story])
    return digest


def test_subscriber_list_counts_each_status(admin_client):
    for status, n in [("pending", 2), ("confirmed", 3), ("unsubscribed", 1)]:
        for _ in range(n):
            make_subscriber(status=status)
    html = admin_client.get(reverse("admin:newsletter_subscriber_changelist")).text
    assert "Pending confirmation (2)" in html
    assert "Confirmed (3)" in html
    assert "Unsubscribed (1)" in html


def test_export_selected_subscribers_as_csv(admin_client):
    chosen = [make_subscriber(email="a@example.com", source="/news/a/"), make_subscriber()]
    make_subscriber(email="not-chosen@example.com")
    response = admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": [s.pk for s in chosen]},
    )
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["email", "status"]
    assert sorted(row[0] for row in rows[1:]) == sorted(s.email for s in chosen)
    (row_a,) = [row for row in rows[1:] if row[0] == "a@example.com"]
    assert row_a[:2] == ["a@example.com", "confirmed"]
    assert row_a[-1] == "/news/a/"


def test_unsubscribe_action_records_who_and_when(admin_client):
    subscriber = make_subscriber()
    admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "unsubscribe_selected", "_selected_action": [subscriber.pk]},
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.left_by == Subscriber.LeftBy.ADMIN
    assert subscriber.unsubscribed_at is not None


def test_deleting_a_subscriber_erases_it_and_its_deliveries(admin_client, digest):
    subscriber = make_subscriber()
    Delivery.objects.create(digest=digest, subscriber=subscriber, status=Delivery.Status.SENT)
    url = reverse("admin:newsletter_subscriber_delete", args=[subscriber.pk])
    admin_client.post(url, {"post": "yes"})
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not Delivery.objects.exists()


def test_digest_list_shows_stories_recipients_sent_and_failed(admin_client, digest):
    subscribers = [make_subscriber() for _ in range(3)]
    Delivery.objects.create(digest=digest, subscriber=subscribers[0], status="sent")
    Delivery.objects.create(digest=digest, subscriber=subscribers[1], status="sent")
    Delivery.objects.create(digest=digest, subscriber=subscribers[2], status="failed")
    response = admin_client.get(reverse("admin:newsletter_digest_changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.story_count, row.recipients, row.sent, row.failed) == (1, 3, 2, 1)


def test_digest_change_page_previews_the_email(admin_client, digest):
    page = admin_client.get(reverse("admin:newsletter_digest_change", args=[digest.pk])).text
    preview_url = reverse("admin:newsletter_digest_preview", args=[digest.pk])
    assert f'<iframe title="Email preview" src="{preview_url}"' in page
    preview = admin_client.get(preview_url)
    assert preview.status_code == 200
    assert "Cranes return to the Hula" in preview.text
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


def test_send_a_test_to_me(admin_client, admin_user, digest, mailoutbox):
    admin_user.email = "editor@example.com"
    admin_user.save()
    admin_client.post(reverse("admin:newsletter_digest_send_test", args=[digest.pk]))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["editor@example.com"]
    assert mailoutbox[0].subject == "[Test] Latest news & updates"
    assert "Cranes return to the Hula" in mailoutbox[0].body
    assert not Delivery.objects.exists()
    digest.refresh_from_db()
    assert digest.status == Digest.Status.DRAFT


def test_send_starts_once_however_often_it_is_clicked(admin_client, digest, mailoutbox):
    readers = [make_subscriber() for _ in range(3)]
    make_subscriber(status=Subscriber.Status.PENDING)
    url = reverse("admin:newsletter_digest_send", args=[digest.pk])
    first = admin_client.post(url, follow=True)
    second = admin_client.post(url, follow=True)
    assert "The digest is being sent." in first.text
    assert "already being sent or was sent" in second.text
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.email for r in readers)
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT
    assert Delivery.objects.filter(status="sent").count() == 3


def test_a_sent_digest_cannot_be_edited(admin_client, digest):
    Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.SENT)
    url = reverse("admin:newsletter_digest_change", args=[digest.pk])
    admin_client.post(url, {"subject": "Changed", "since_0": "2026-01-01", "since_1": "00:00"})
    digest.refresh_from_db()
    assert digest.subject == "Latest news & updates"
    assert "Send to all subscribers" not in admin_client.get(url).text


def test_new_digest_is_filled_with_the_window_stories(admin_client):
    story = make_article(headline="In the window")
    response = admin_client.get(reverse("admin:newsletter_digest_add"))
    initial = response.context["adminform"].form.initial
    assert initial["subject"].endswith("Latest news & updates")
    since, until = timezone.localtime(initial["since"]), timezone.localtime(initial["until"])
    admin_client.post(
        reverse("admin:newsletter_digest_add"),
        {
            "subject": "Weekly",
            "since_0": since.strftime("%Y-%m-%d"),
            "since_1": since.strftime("%H:%M:%S"),
            "until_0": until.strftime("%Y-%m-%d"),
            "until_1": until.strftime("%H:%M:%S"),
        },
    )
    digest = Digest.objects.get(subject="Weekly")
    assert list(digest.stories.all()) == [story]
