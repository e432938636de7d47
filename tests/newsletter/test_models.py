"""What the database itself guarantees about subscribers, whatever code writes them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from newsletter.models import Subscriber

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
