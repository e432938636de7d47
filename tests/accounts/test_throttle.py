"""Failed logins are counted per username and per address (django-axes with
accounts.throttle): the lock, its page and Retry-After, the same answers whether or not the
account exists, what a success clears, and that a locked login hashes no password."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tests.accounts.conftest import CountingHasher
from tests.factories import make_staff
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
WRONG = "wrong-password"
VARYING = [
    # Per-response values: the CSRF token (masked anew each time) and the CSP nonce.
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'(nonce=")[^"]+'),
]


@pytest.fixture
def eddie():
    return make_staff("eddie")


def attempt(client, username, password=WRONG, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def comparable(response) -> tuple:
    body = response.content.decode()
    for pattern in VARYING:
        body = pattern.sub(r"\1", body)
    return response.status_code, response.get("Retry-After"), body


def test_five_wrong_passwords_lock_the_username_from_every_address(client, eddie):
    for _ in range(4):
        response = attempt(client, "eddie")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text
    locked = attempt(client, "eddie")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text

    # Even the right password, from elsewhere, until the lock ends.
    response = attempt(client, "eddie", PASSWORD, address="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_twenty_failures_from_one_address_lock_it_for_every_username(client, eddie):
    for n in range(19):
        assert attempt(client, f"guess-{n % 5}").status_code == 200  # under 5 each
    assert attempt(client, "guess-x").status_code == 429
    assert attempt(client, "eddie", PASSWORD).status_code == 429

    # eddie, from his own address, is not locked.
    response = attempt(client, "eddie", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(eddie.pk)


def test_the_address_is_the_one_the_trusted_proxy_saw(client, settings, eddie):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.0/24"]  # the load balancers
    for n in range(20):
        client.post(
            LOGIN,
            {"username": f"u{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.254",  # the load balancer
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 192.0.2.7",  # the left part is the client's own
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.7"}
    response = client.post(
        LOGIN,
        {"username": "eddie", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="192.0.2.7",
    )
    assert response.status_code == 429


def test_a_real_and_a_missing_account_get_the_same_answers(client, eddie):
    real = [comparable(attempt(client, "eddie", address="10.0.0.1")) for _ in range(7)]
    missing = [comparable(attempt(client, "nobody", address="10.0.0.2")) for _ in range(7)]
    assert [r[0] for r in real] == [200, 200, 200, 200, 429, 429, 429]
    for mine, theirs in zip(real, missing, strict=True):
        assert mine[0] == theirs[0]
        assert mine[2].replace("eddie", "nobody") == theirs[2]
        # Retry-After counts down by the second: the same or one apart.
        if mine[1] is not None:
            assert abs(int(mine[1]) - int(theirs[1])) <= 1


def test_the_lockout_page_says_how_long_to_wait(client, eddie):
    for _ in range(5):
        response = attempt(client, "eddie")
    assert response.status_code == 429
    assert 899 <= int(response["Retry-After"]) <= 900
    assert "Try again in 15 minutes." in response.text
    assert response["Cache-Control"] == "no-store"
    assert "site-name" in response.text  # the desk's look

    # Ten minutes later, five are left; refused attempts meanwhile do not extend it.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=10))
    response = attempt(client, "eddie")
    assert 299 <= int(response["Retry-After"]) <= 300
    assert "Try again in 5 minutes." in response.text

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=15, seconds=1))
    assert attempt(client, "eddie", PASSWORD).status_code == 302


def test_a_success_clears_that_usernames_failures_only(client, eddie):
    for _ in range(4):
        attempt(client, "eddie")
    for n in range(15):
        attempt(client, f"other-{n % 4}")
    assert attempt(client, "eddie", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="eddie").exists()

    # The address's 15 other failures still count: five more lock it.
    client.logout()
    for _ in range(4):
        assert attempt(client, "someone").status_code == 200
    assert attempt(client, "someone").status_code == 429
    # And eddie's four are gone: four more wrong ones from elsewhere do not lock him.
    for _ in range(4):
        assert attempt(client, "eddie", address="10.0.0.3").status_code == 200


def test_a_locked_login_hashes_no_password(client):
    make_staff("eddie")
    CountingHasher.hashed = 0

    for _ in range(5):
        attempt(client, "eddie")
    assert CountingHasher.hashed == 5  # each wrong password is checked, the fifth locks
    for _ in range(20):
        assert attempt(client, "eddie").status_code == 429
    assert attempt(client, "eddie", PASSWORD).status_code == 429
    assert CountingHasher.hashed == 5

    # A username nobody has costs a hash too, as long as it is not locked.
    attempt(client, "nobody")
    assert CountingHasher.hashed == 6
