"""Shared fixtures for the newsletter: a clean cache, and a real SMTP server on loopback.

Every newsletter test sends through the real server: ``mailoutbox`` is overridden here to
start it and show what it received, read back from the bytes on the wire (not Django's
in-memory outbox), with the attributes the tests read (``to``, ``subject``, ``body``, ...)."""

import email
import email.policy
import re
import threading
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from newsletter.models import Digest
from tests.factories import make_article, make_image
from tests.helpers import free_port


@pytest.fixture(autouse=True)
def _clear_cache():
    """The signup rate limit counts in the cache (LocMem here): each test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Received:
    """One message as the SMTP server took it: the envelope and the bytes on the wire."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def to(self) -> str:
        (recipient,) = self.rcpt_tos
        return recipient

    def raw_header(self, name: str) -> str:
        """A header exactly as written on the wire, unfolded (RFC 5322 2.2.3), not decoded:
        what a mail client that looks for ``<https://...>`` sees."""
        head = re.split(rb"\r?\n\r?\n", self.raw, maxsplit=1)[0].decode("ascii")
        unfolded = re.sub(r"\r?\n(?=[ \t])", "", head)
        values = [
            line.split(":", 1)[1].strip()
            for line in unfolded.splitlines()
            if line.lower().startswith(name.lower() + ":")
        ]
        assert len(values) == 1, f"{name} appears {len(values)} times"
        return values[0]

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class Mailbox:
    """The SMTP server's handler (aiosmtpd calls it on its own thread and event loop).

    ``refuse``: recipients answered "550 mailbox unavailable" at RCPT TO.
    ``fail_after``: once this many messages are in, every new transaction is answered
    "421" (``failure = "421"``) or its connection is dropped (``failure = "drop"``), as a
    server that dies mid-send does."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.fail_after: int | None = None
        self.failure = "421"
        self._lock = threading.Lock()

    def _failing(self) -> bool:
        with self._lock:
            return self.fail_after is not None and len(self.received) >= self.fail_after

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._failing():
            if self.failure == "drop":
                server.transport.abort()
                return "421 4.3.2 connection dropped"  # never reaches the client
            return "421 4.3.2 Service shutting down, closing transmission channel"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 Message accepted for delivery"

    # What the tests read.

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.rcpt_tos]

    def per_recipient(self) -> Counter:
        return Counter(r for m in self.received for r in m.rcpt_tos)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and a free port, and Django's default mailer pointed
    at it. Django's test setup swaps every mailer for locmem once per session
    (setup_test_environment); this per-test setting is applied after that, and the mailers
    handler reads settings.MAILERS afresh for every connection, so this one wins."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class _Alternative:
    content: str
    mimetype: str


class WireMessage:
    """A message as the SMTP server received it, read like Django's EmailMessage."""

    def __init__(self, received: Received):
        self.received = received
        self._message = received.message

    @property
    def to(self) -> list[str]:
        return [address.strip() for address in str(self._message["To"]).split(",")]

    @property
    def recipients(self) -> list[str]:
        return list(self.received.rcpt_tos)

    @property
    def subject(self) -> str:
        return str(self._message["Subject"])

    @property
    def from_email(self) -> str:
        return str(self._message["From"])

    @property
    def body(self) -> str:
        return self.received.text()

    @property
    def alternatives(self) -> list[_Alternative]:
        return [_Alternative(self.received.html(), "text/html")]

    @property
    def extra_headers(self) -> dict[str, str]:
        return {name: self.received.raw_header(name) for name in set(self._message.keys())}

    def message(self) -> EmailMessage:
        return self._message


class WireOutbox:
    """``mail.outbox`` for tests, filled by the SMTP server."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    def __len__(self):
        return len(self.mailbox.received)

    def __getitem__(self, index):
        return [WireMessage(m) for m in self.mailbox.received][index]

    def __iter__(self):
        return iter(self[:])

    def __eq__(self, other):
        return list(self) == other

    def clear(self):
        self.mailbox.clear()


@pytest.fixture
def mailoutbox(smtp_server):
    return WireOutbox(smtp_server)


@pytest.fixture(autouse=True)
def _mail_goes_over_the_wire(smtp_server):
    """Every newsletter test's mail goes to the real SMTP server, whether or not the test
    reads it: none lands in Django's in-memory outbox."""
    yield
    assert not django_mail_outbox(), "a message went to Django's in-memory outbox"


def django_mail_outbox() -> list:
    from django.core import mail

    return getattr(mail, "outbox", [])


@pytest.fixture
def digest():
    """A digest of one story with a lead image, not yet sent."""
    story = make_article(
        headline="Cranes return to the Hula",
        dek="Thousands stop on the way south.",
        lead_image=make_image(),
    )
    digest = Digest.objects.create(
        subject="Latest news & updates", since=story.published_at, until=story.published_at
    )
    digest.stories.set([story])
    return digest
