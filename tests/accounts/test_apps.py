"""The admin's index names the login apps for a newsroom, not after their libraries."""

import re

import pytest

from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_the_login_apps_in_words(client):
    client.force_login(make_staff("ada", is_superuser=True))
    html = client.get("/admin/").content.decode()
    apps = re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", html)
    assert {"Logins", "Failed logins", "Second factor: authenticator apps"} <= set(apps)
    assert not {"Accounts", "Axes", "Otp_Totp"} & set(apps)
