"""Who owes a second factor (accounts.second_factor) and what the admin lets them do
meanwhile (accounts.middleware): the policy for nobody, editors and administrators, all staff."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityPolicy
from accounts.second_factor import key_text, owed, qr_code
from tests.factories import make_staff
from tests.helpers import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

SETUP = "/admin/account/second-factor/"


def require(rule: str) -> None:
    SecurityPolicy.objects.update(second_factor_required_for=rule)


def log_in(client, username: str) -> None:
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def people():
    return {
        "editor": make_staff("eddie", "Editors"),
        "writer": make_staff("wendy", "Writers"),
        "admin": make_staff("ada", is_superuser=True),
    }


def test_the_policy_row_exists_after_migrations_and_requires_nothing():
    assert SecurityPolicy.objects.get().second_factor_required_for == "nobody"


@pytest.mark.parametrize(
    ("rule", "sent_to_setup"),
    [
        ("nobody", set()),
        ("editors", {"eddie", "ada"}),
        ("staff", {"eddie", "ada", "wendy"}),
    ],
)
def test_whom_the_policy_sends_to_the_setup(client, people, rule, sent_to_setup):
    require(rule)
    sent = set()
    for user in people.values():
        client.force_login(user)
        response = client.get("/admin/")
        if response.status_code == 302:
            assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"
            sent.add(user.username)
        else:
            assert response.status_code == 200
    assert sent == sent_to_setup


def test_an_editor_without_the_app_can_do_nothing_else_until_it_is_set_up(client, people):
    require("editors")
    log_in(client, "eddie")
    for url in ("/admin/", "/admin/articles/article/add/", "/admin/outbox/", "/admin/auth/user/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    # Posts are held back too (and sent to the setup without a next).
    response = client.post("/admin/articles/article/add/", {"headline": "Held"})
    assert response["Location"] == SETUP
    assert "The security policy requires a second factor" in client.get(SETUP).text

    device = TOTPDevice.objects.get(user=people["editor"])
    response = client.post(SETUP, {"code": totp_code(device), "next": "/admin/articles/article/"})
    assert response["Location"] == "/admin/articles/article/"
    assert client.get("/admin/articles/article/").status_code == 200


def test_a_writer_is_not_held_back_by_the_editors_rule(client, people):
    require("editors")
    log_in(client, "wendy")
    assert client.get("/admin/").status_code == 200
    assert client.get(SETUP).status_code == 200  # may still turn it on


def test_owing_a_code_opens_only_the_code_step_not_the_setup(client, people):
    TOTPDevice.objects.create(user=people["writer"], name="App", confirmed=True)
    log_in(client, "wendy")
    response = client.get(SETUP)
    assert response["Location"].startswith("/admin/account/verify/")
    # The logout stays open.
    assert client.post("/admin/logout/").status_code == 200
    assert "_auth_user_id" not in client.session


def test_what_a_user_owes(people):
    editor = people["editor"]
    editor.is_verified = lambda: False  # as django-otp's middleware sets it for a new session
    assert owed(editor) is None
    require("editors")
    assert owed(editor) == "setup"
    TOTPDevice.objects.create(user=editor, name="App", confirmed=False)
    assert owed(editor) == "setup"  # a device not yet confirmed counts for nothing
    TOTPDevice.objects.create(user=editor, name="App", confirmed=True)
    assert owed(editor) == "code"
    editor.is_verified = lambda: True
    assert owed(editor) is None


def test_a_session_that_owes_nothing_costs_one_query(people, django_assert_num_queries):
    writer = people["writer"]
    writer.is_verified = lambda: False
    with django_assert_num_queries(1):
        assert owed(writer) is None


def test_the_key_and_the_qr_code_describe_the_same_device(people):
    device = TOTPDevice.objects.create(user=people["writer"], name="App", confirmed=False)
    key = key_text(device)
    assert all(len(group) <= 4 for group in key.split(" "))
    assert f"secret={key.replace(' ', '')}" in device.config_url
    assert "issuer=All%20Israel%20News" in device.config_url
    assert qr_code(device).startswith("data:image/svg+xml")
