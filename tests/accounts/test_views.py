"""The second factor's pages: setting up the app (QR code, key, confirm with a real code),
the code step of a login, wrong codes refused and throttled, turning it off."""

import datetime as dt
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityPolicy
from tests.factories import make_staff
from tests.helpers import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

SETUP = "/admin/account/second-factor/"
VERIFY = "/admin/account/verify/"


@pytest.fixture
def eddie():
    return make_staff("eddie", "Editors")


def password_step(client, username="eddie"):
    response = client.post(
        "/admin/login/", {"username": username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    return response


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def unthrottle(device) -> None:
    """As if the wait after the last wrong code had passed."""
    device.refresh_from_db()
    device.throttling_failure_timestamp -= dt.timedelta(hours=1)
    device.save()


def test_setting_up_shows_a_qr_code_and_the_key_and_needs_a_real_code(client, eddie):
    client.force_login(eddie)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    device = TOTPDevice.objects.get(user=eddie)
    assert not device.confirmed
    assert page.context["key"].replace(" ", "") in device.config_url
    assert "otpauth://totp/" in device.config_url
    assert client.get(SETUP).context["key"] == page.context["key"]  # the same until confirmed

    wrong = client.post(SETUP, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.text
    device.refresh_from_db()
    assert not device.confirmed

    unthrottle(device)
    done = client.post(SETUP, {"code": totp_code(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # This session passed it already: the admin opens.
    assert client.get("/admin/").status_code == 200
    assert "Your second factor is <strong>on</strong>" in client.get(SETUP).text


def test_a_login_with_the_app_takes_a_code_after_the_password(client, eddie):
    device = with_app(eddie)
    password_step(client)
    response = client.get("/admin/articles/article/?q=x")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2Farticles%2Farticle%2F%3Fq%3Dx"
    assert client.get("/admin/outbox/").status_code == 302

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.text
    done = client.post(VERIFY, {"code": totp_code(device), "next": "/admin/articles/article/"})
    assert done.status_code == 302
    assert done["Location"] == "/admin/articles/article/"
    assert client.get("/admin/articles/article/").status_code == 200


def test_a_wrong_code_is_refused_and_the_next_must_wait(client, eddie):
    device = with_app(eddie)
    password_step(client)
    code = totp_code(device)
    wrong = client.post(VERIFY, {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.text

    # At once, even the right code is refused: django-otp doubles the wait per wrong code.
    throttled = client.post(VERIFY, {"code": code})
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) >= 1
    assert "Too many wrong codes. Try again in" in throttled.text
    assert client.get("/admin/").status_code == 302

    unthrottle(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_wait_doubles_with_each_wrong_code(client, eddie):
    device = with_app(eddie)
    password_step(client)
    waits = []
    for n in range(4):
        if n:
            unthrottle(device)
        client.post(VERIFY, {"code": "000001" if totp_code(device) != "000001" else "000002"})
        waits.append(int(client.post(VERIFY, {"code": "000003"})["Retry-After"]))
    assert waits == [1, 2, 4, 8]


def test_a_used_code_does_not_log_in_again(client, eddie):
    device = with_app(eddie)
    password_step(client)
    code = totp_code(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post("/admin/logout/")
    password_step(client)
    assert client.post(VERIFY, {"code": code}).status_code == 200  # replayed: refused
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("drift", "last_step"),
    [(-1, -1), (0, 0)],
    ids=["the last code was checked a step late", "this step's code is used"],
)
def test_the_next_code_logs_in_whatever_the_last_login_left(client, eddie, drift, last_step):
    """django-otp keeps the drift and the last step it accepted; the next login's code is the
    one after them (tests.helpers.totp_code), which a login in a new 30-second step needs."""
    device = with_app(eddie)
    now_step = (int(time.time()) - device.t0) // device.step
    TOTPDevice.objects.filter(pk=device.pk).update(drift=drift, last_t=now_step + last_step)
    password_step(client)
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_turning_it_off_takes_a_code(client, eddie):
    device = with_app(eddie)
    password_step(client)
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.post(SETUP, {"code": "12"}).status_code == 200
    assert TOTPDevice.objects.filter(user=eddie).exists()
    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=eddie).exists()
    assert client.get("/admin/").status_code == 200


def test_what_the_policy_requires_cannot_be_turned_off(client, eddie):
    SecurityPolicy.objects.update(second_factor_required_for="editors")
    device = with_app(eddie)
    password_step(client)
    client.post(VERIFY, {"code": totp_code(device)})
    page = client.get(SETUP)
    assert "cannot be turned off here" in page.text
    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 400
    assert "requires you to keep a second factor" in response.text
    assert TOTPDevice.objects.filter(user=eddie, confirmed=True).exists()


def test_the_pages_are_for_staff_and_keep_next_on_this_site(client, eddie):
    assert client.get(SETUP)["Location"].startswith("/admin/login/")
    device = with_app(eddie)
    password_step(client)
    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"
