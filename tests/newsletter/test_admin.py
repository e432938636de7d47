"""The subscriber list in the admin."""

import pytest

from newsletter.models import Subscriber
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/newsletter/subscriber/"


@pytest.fixture
def subscribers():
    return {
        "pending": make_subscriber(
            email="dana@example.com", source="/news/water/", status=Subscriber.Status.PENDING
        ),
        "confirmed": make_subscriber(
            email="yossi@example.org", source="/", status=Subscriber.Status.CONFIRMED
        ),
        "gone": make_subscriber(email="old@example.net", status=Subscriber.Status.UNSUBSCRIBED),
    }


def rows(response) -> list[Subscriber]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_list_shows_email_status_created_and_source(admin_client, subscribers):
    response = admin_client.get(CHANGELIST)

    assert set(rows(response)) == set(subscribers.values())
    html = response.content.decode()
    for column in ("column-email", "column-status", "column-created_at", "column-source"):
        assert column in html
    assert "dana@example.com" in html
    assert "/news/water/" in html
    assert "Pending confirmation" in html


def test_search_by_email_and_source(admin_client, subscribers):
    assert rows(admin_client.get(CHANGELIST, {"q": "DANA@"})) == [subscribers["pending"]]
    assert rows(admin_client.get(CHANGELIST, {"q": "example.org"})) == [subscribers["confirmed"]]
    assert rows(admin_client.get(CHANGELIST, {"q": "/news/water/"})) == [subscribers["pending"]]


@pytest.mark.parametrize("status", ["pending", "confirmed", "gone"])
def test_filter_by_status(admin_client, subscribers, status):
    wanted = subscribers[status]

    assert rows(admin_client.get(CHANGELIST, {"status__exact": wanted.status})) == [wanted]


def test_added_in_the_admin_is_stored_normalised(admin_client):
    response = admin_client.post(
        "/admin/newsletter/subscriber/add/",
        {"email": "Reader@Bücher.example", "status": "confirmed", "source": ""},
    )

    assert response.status_code == 302
    assert Subscriber.objects.get().email == "reader@xn--bcher-kva.example"


def test_admin_refuses_an_address_already_listed(admin_client, subscribers):
    response = admin_client.post(
        "/admin/newsletter/subscriber/add/",
        {"email": "DANA@example.com", "status": "pending", "source": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    assert Subscriber.objects.count() == 3


def test_non_staff_cannot_see_subscribers(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="a-long-pass"))

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
