"""The admin's side of logins: locked usernames and addresses seen and unlocked, the security
policy's one row, and the TOTP devices a superuser removes after a lost phone."""

import pytest
from axes.models import AccessAttempt
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityPolicy
from tests.factories import make_staff
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

ATTEMPTS = "/admin/axes/accessattempt/"


def fail(client, username, address, times):
    for _ in range(times):
        client.post(
            "/admin/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )


@pytest.fixture
def locked(client):
    make_staff("eddie")
    fail(client, "eddie", "10.0.0.1", 5)  # eddie locked
    for n in range(20):
        fail(client, f"guess-{n}", "10.0.0.9", 1)  # the address locked
    assert (
        client.post("/admin/login/", {"username": "eddie", "password": PASSWORD}).status_code == 429
    )


def test_the_list_shows_what_is_locked(admin_client, locked):
    page = admin_client.get(ATTEMPTS)
    assert page.status_code == 200
    rows = {
        (a.username, a.ip_address): page.context["cl"].model_admin.locked(a)
        for a in page.context["cl"].result_list
    }
    assert rows[("eddie", "10.0.0.1")] == "username"
    assert rows[("guess-3", "10.0.0.9")] == "address"
    only_locked = admin_client.get(ATTEMPTS, {"locked": "yes"})
    assert len(only_locked.context["cl"].result_list) == 21
    assert len(admin_client.get(ATTEMPTS, {"locked": "no"}).context["cl"].result_list) == 0


def test_unlocking_a_username(client, admin_client, locked):
    row = AccessAttempt.objects.get(username="eddie")
    response = admin_client.post(
        ATTEMPTS, {"action": "unlock_usernames", "_selected_action": [row.pk]}, follow=True
    )
    assert "Unlocked 1 username(s)" in response.text
    assert not AccessAttempt.objects.filter(username="eddie").exists()
    assert AccessAttempt.objects.filter(ip_address="10.0.0.9").count() == 20
    login = client.post("/admin/login/", {"username": "eddie", "password": PASSWORD})
    assert login.status_code == 302


def test_unlocking_an_address(client, admin_client, locked):
    row = AccessAttempt.objects.filter(ip_address="10.0.0.9").first()
    admin_client.post(ATTEMPTS, {"action": "unlock_addresses", "_selected_action": [row.pk]})
    assert not AccessAttempt.objects.filter(ip_address="10.0.0.9").exists()
    # eddie's own lock stands.
    login = client.post(
        "/admin/login/", {"username": "eddie", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert login.status_code == 429


def test_the_policy_is_one_row_an_administrator_edits(admin_client):
    listing = admin_client.get("/admin/accounts/securitypolicy/")
    assert listing.status_code == 302
    assert listing["Location"] == "/admin/accounts/securitypolicy/1/change/"
    assert admin_client.get("/admin/accounts/securitypolicy/add/").status_code == 403
    assert admin_client.get("/admin/accounts/securitypolicy/1/delete/").status_code == 403
    response = admin_client.post(
        "/admin/accounts/securitypolicy/1/change/", {"second_factor_required_for": "staff"}
    )
    assert response.status_code == 302
    assert SecurityPolicy.objects.get().second_factor_required_for == "staff"
    # It covers the administrator who set it, at once: the admin now wants the app set up.
    assert admin_client.get("/admin/")["Location"].startswith("/admin/account/second-factor/")


def test_editors_cannot_change_the_policy(client):
    client.force_login(make_staff("eddie", "Editors"))
    assert client.get("/admin/accounts/securitypolicy/1/change/").status_code == 403
    assert client.get(ATTEMPTS).status_code == 403


def test_a_superuser_removes_a_lost_phone_in_the_admin(admin_client):
    device = TOTPDevice.objects.create(user=make_staff("eddie"), name="App", confirmed=True)
    page = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.text  # OTP_ADMIN_HIDE_SENSITIVE_DATA
    admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.exists()
