"""Local mail: one .eml file per message in OUTBOX_DIR, and /admin/outbox/ for staff."""

import email
import email.policy

import pytest
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives

from newsroom import outbox

LONG_LINK = "http://127.0.0.1:8130/newsletter/confirm/" + "abcdefghij" * 12 + "/"


@pytest.fixture
def outbox_dir(settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    settings.MAILERS = {"default": {"BACKEND": "newsroom.outbox.EmailBackend"}}
    return settings.OUTBOX_DIR


def send(subject="Please confirm", to="reader@example.com"):
    message = EmailMultiAlternatives(
        subject, f"Open this link:\n\n{LONG_LINK}\n\nThanks.", "news@localhost", [to]
    )
    message.attach_alternative(f'<p><a href="{LONG_LINK}">Confirm</a></p>', "text/html")
    message.send()


def test_each_message_is_one_eml_file_a_mail_client_reads(outbox_dir):
    send()
    send(subject="Second")
    files = sorted(outbox_dir.glob("*.eml"))
    assert len(files) == 2
    assert not list(outbox_dir.glob("*.part"))
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Please confirm"
    assert parsed["To"] == "reader@example.com"
    assert LONG_LINK in parsed.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.django_db
def test_the_outbox_page_is_for_staff_only(client, outbox_dir):
    send()
    response = client.get("/admin/outbox/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    user = get_user_model().objects.create_user("reader", password="a-long-test-password")
    client.force_login(user)
    assert client.get("/admin/outbox/").status_code == 302


@pytest.mark.django_db
def test_the_outbox_page_lists_the_newest_first_with_whole_clickable_links(
    admin_client, outbox_dir
):
    send(subject="Older message")
    send(subject="Newer message")
    response = admin_client.get("/admin/outbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Newer message") < html.index("Older message")
    # Decoded from quoted-printable: the link is whole, and a link.
    assert f'<a href="{LONG_LINK}"' in html
    assert "=\n" not in html
    assert str(outbox_dir) in html


@pytest.mark.django_db
def test_a_message_downloads_as_its_eml_file_and_other_names_are_404(admin_client, outbox_dir):
    send()
    (name,) = [p.name for p in outbox_dir.glob("*.eml")]
    response = admin_client.get(f"/admin/outbox/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response.content == (outbox_dir / name).read_bytes()
    assert admin_client.get("/admin/outbox/..%2Fsettings.py").status_code == 404
    assert admin_client.get("/admin/outbox/20260101-000000-000000-001.eml").status_code == 404


def test_an_empty_or_missing_outbox_lists_nothing(outbox_dir):
    assert outbox.messages() == []
