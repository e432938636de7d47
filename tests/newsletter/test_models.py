"""What the database itself guarantees about subscribers, whatever code writes them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsletter.models import Delivery, Digest, Subscriber
from tests.factories import make_article, make_subscriber

pytestmark = pytest.mark.django_db


def test_new_subscriber_is_pending():
    subscriber = Subscriber.objects.create(email="reader@example.com", source="/")

    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.created_at is not None
    assert str(subscriber) == "reader@example.com"


@pytest.mark.parametrize("email", ["Reader@example.com", "reader@EXAMPLE.com"])
def test_database_refuses_an_email_not_in_lower_case(email):
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email=email)

    assert not Subscriber.objects.exists()


def test_database_refuses_a_duplicate_email():
    Subscriber.objects.create(email="reader@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="reader@example.com", status=Subscriber.Status.CONFIRMED)

    assert Subscriber.objects.count() == 1


def test_validation_names_the_lower_case_rule():
    with pytest.raises(ValidationError) as caught:
        Subscriber(email="Reader@example.com").full_clean()

    assert caught.value.messages == ["Email addresses are stored in lower case."]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "confirmed"},
        {"status": "unsubscribed"},
        {"status": "unsubscribed", "unsubscribed_at": timezone.now()},
        {"status": "unsubscribed", "left_by": "link"},
    ],
)
def test_database_refuses_a_status_without_its_times(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="reader@example.com", **fields)

    assert not Subscriber.objects.exists()


def test_confirm_and_unsubscribe_record_when_and_how():
    subscriber = make_subscriber(status="pending")

    assert subscriber.confirm() is True
    assert subscriber.confirm() is False
    assert subscriber.unsubscribe(Subscriber.LeftBy.ONE_CLICK) is True
    assert subscriber.unsubscribe(Subscriber.LeftBy.LINK) is False

    stored = Subscriber.objects.get()
    assert stored.status == "unsubscribed"
    assert stored.left_by == "one-click"
    assert stored.confirmed_at <= stored.unsubscribed_at


def test_erasing_a_subscriber_erases_its_deliveries():
    """Right to erasure: no row naming the reader outlives them."""
    story = make_article()
    digest = Digest.objects.create(subject="S", since=story.published_at, until=timezone.now())
    gone, kept = make_subscriber(), make_subscriber()
    for subscriber in (gone, kept):
        Delivery.objects.create(digest=digest, subscriber=subscriber, status="sent")

    gone.delete()

    assert list(Delivery.objects.values_list("subscriber_id", flat=True)) == [kept.pk]
    assert Digest.objects.filter(pk=digest.pk).exists()
