"""Confirmation emails through the task queue (django-tasks-db, a real worker) and a real SMTP
server: nothing is sent in the signup request, an outage delays mail and never drops or
doubles it, retries back off and end as "failed" in the admin, and one mailbox gets one mail
however many variants of its address sign up."""

import time

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from newsletter import confirmations
from newsletter.models import Subscriber
from tests.factories import logged_in, make_subscriber, make_user
from tests.helpers import free_port, refused_port
from tests.newsletter.conftest import Mailbox

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBE = "/newsletter/subscribe/"


@pytest.fixture
def queue(settings):
    """Production's task backend: tasks are rows, run by `db_worker`; retries after 1 s."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = "http://testserver"
    settings.NEWSLETTER_CONFIRM_RETRY_DELAYS = (1, 1, 1)


def work() -> None:
    """Run every task that is due now, as `manage.py db_worker --batch` does."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def mailer_at(settings, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }


def signup(email: str, ip: str = "192.0.2.1"):
    return Client(enforce_csrf_checks=True).post(SUBSCRIBE, {"email": email}, REMOTE_ADDR=ip)


def test_an_smtp_outage_delays_confirmations_and_loses_or_doubles_none(queue, settings):
    settings.NEWSLETTER_CONFIRM_RETRY_DELAYS = (1,) * 60  # outlasts the outage
    port = free_port()  # nothing listens here yet: connection refused, as a server that is down
    mailer_at(settings, port)
    addresses = [f"reader{n}@example.com" for n in range(12)]
    for n, address in enumerate(addresses):
        assert signup(address, ip=f"192.0.2.{n + 1}").status_code == 200
    work()  # the signups are recorded, their confirmations tried and refused

    waiting = Subscriber.objects.filter(confirmation=Subscriber.Confirmation.WAITING)
    assert waiting.count() == len(addresses)
    assert min(waiting.values_list("confirmation_attempts", flat=True)) >= 1
    assert "ConnectionRefusedError" in waiting.first().confirmation_error
    admin_page = logged_in(make_user("superuser")).get(
        "/admin/newsletter/subscriber/?confirmation=waiting"
    )
    assert "Waiting to be sent (tried " in admin_page.content.decode()
    assert ", next try at " in admin_page.content.decode()

    mailbox = Mailbox()  # the server comes back on the same port
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and waiting.exists():  # bounded: 60 s
            time.sleep(0.3)
            work()
        received = mailbox.per_recipient()
    finally:
        controller.stop()

    lost = [a for a in addresses if received[a] == 0]
    doubled = [a for a in addresses if received[a] > 1]
    print(
        f"SMTP down for {len(addresses)} signups, then back: "
        f"{sum(received.values())} confirmations delivered, "
        f"lost {len(lost)}, doubled {len(doubled)}"
    )
    assert (lost, doubled) == ([], [])
    assert Subscriber.objects.filter(confirmation=Subscriber.Confirmation.SENT).count() == 12
    assert not DBTaskResult.objects.filter(status="FAILED").exists()


def test_retries_back_off_then_fail_and_the_admin_sends_them_again(queue, settings):
    port = free_port()
    mailer_at(settings, port)
    signup("late@example.com")
    started = time.monotonic()
    deadline = started + 60  # bounded; about 4 s when the machine is idle
    subscriber = Subscriber.objects.none()
    while time.monotonic() < deadline:  # bounded
        work()
        subscriber = Subscriber.objects.filter(email="late@example.com").first()
        if subscriber and subscriber.confirmation == Subscriber.Confirmation.FAILED:
            break
        time.sleep(0.3)
    assert subscriber.confirmation == Subscriber.Confirmation.FAILED
    assert subscriber.confirmation_attempts == 4  # the first try and three retries, 1 s apart
    assert time.monotonic() - started >= 3  # it waited between tries

    admin = logged_in(make_user("superuser"))
    page = admin.get("/admin/newsletter/subscriber/?confirmation=failed").content.decode()
    assert "Failed (retries used up) after 4 tries" in page

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        response = admin.post(
            "/admin/newsletter/subscriber/",
            {"action": "retry_confirmations", "_selected_action": [subscriber.pk]},
            follow=True,
        )
        assert "Queued the confirmation email for 1 subscriber(s)." in response.content.decode()
        work()
    finally:
        controller.stop()
    assert mailbox.per_recipient() == {"late@example.com": 1}
    subscriber.refresh_from_db()
    assert subscriber.confirmation == Subscriber.Confirmation.SENT


def test_a_signup_does_the_same_work_for_every_address_and_sends_nothing(
    queue, settings, smtp_server
):
    """Timing cannot tell who is subscribed: for a new, a pending, a confirmed and an
    unsubscribed address the request runs the same statements (one insert into the task
    queue) and talks to no mail server."""
    make_subscriber(email="confirmed@example.com")
    make_subscriber(email="left@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    signup("pending@example.com")
    work()
    smtp_server.clear()

    def statements(address: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert signup(address, ip="198.51.100.7").status_code == 200
        return [q["sql"].split(" VALUES ")[0].split(" WHERE ")[0] for q in queries]

    seen = {
        a: statements(a)
        for a in [
            "new@example.com",
            "pending@example.com",
            "confirmed@example.com",
            "left@example.com",
        ]
    }

    assert len({tuple(s) for s in seen.values()}) == 1, seen
    assert any("INSERT" in s and "dbtaskresult" in s for s in seen["new@example.com"])
    assert smtp_server.received == []  # the requests only queued work
    work()
    # The worker then mails the new and the returning address, not the others.
    assert smtp_server.per_recipient() == {"new@example.com": 1, "left@example.com": 1}


def test_one_mailbox_gets_one_confirmation_however_its_address_is_varied(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    variants = [f"victim+{n}@example.com" for n in range(1, 9)] + ["victim@example.com"]
    gmail = ["d.ana@gmail.com", "dana+x@googlemail.com", "DANA@gmail.com", "da.na+1@gmail.com"]
    for n, address in enumerate(variants + gmail):
        signup(
            address, ip=f"203.0.113.{n + 1}"
        )  # different clients: the per-client limit is not it

    assert smtp_server.per_recipient() == {"victim+1@example.com": 1, "d.ana@gmail.com": 1}
    assert Subscriber.objects.filter(mailbox="victim@example.com").count() == 9
    assert Subscriber.objects.filter(mailbox="dana@gmail.com").count() == 4


def test_a_confirmation_waiting_for_its_retry_is_not_queued_twice(queue, settings):
    with refused_port() as port:
        mailer_at(settings, port)
        signup("twice@example.com")
        work()
        signup("twice@example.com", ip="192.0.2.99")  # again, while it waits
        work()
    subscriber = Subscriber.objects.get(email="twice@example.com")
    assert subscriber.confirmation == Subscriber.Confirmation.WAITING
    assert subscriber.confirmation_attempts == 1  # the second signup queued no second mail
    ready = DBTaskResult.objects.filter(status="READY", task_path__endswith="send_confirmation")
    assert ready.count() == 1


def test_send_due_sends_what_the_immediate_backend_could_not_wait_for(settings, smtp_server):
    """Locally (the immediate backend) a retry cannot be deferred: the command sends it."""
    settings.SITE_URL = "http://testserver"
    subscriber = make_subscriber(email="due@example.com", status=Subscriber.Status.PENDING)
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation=Subscriber.Confirmation.WAITING,
        confirmation_attempts=2,
        confirmation_due_at="2020-01-01T00:00Z",
    )
    call_command("send_confirmations", verbosity=0)
    assert smtp_server.per_recipient() == {"due@example.com": 1}
    assert confirmations.send(subscriber.pk) == "nothing to send"  # not twice
