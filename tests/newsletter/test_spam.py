"""Every message the newsletter sends scores below 1.0 in SpamAssassin's local tests
(Debian's `spamassassin`, `-L`: no network, no Bayes), judged on the bytes the SMTP server
received: the confirmation, a one-story digest with a picture (the case that scored 2.8 with
HTML_IMAGE_ONLY_24), a long digest with pictures, and the staff's test copy."""

import re
import subprocess

import pytest
from django.utils import timezone

from newsletter import emails
from newsletter.models import Digest, Subscriber
from tests.factories import make_article, make_image, make_subscriber
from tests.helpers import require_tool

pytestmark = pytest.mark.django_db

SPAMASSASSIN = "/usr/bin/spamassassin"
LIMIT = 1.0
PARAGRAPH = (
    "<p>Farmers in the valley counted the cranes at dawn, as they have every autumn since "
    "the wetland was restored, and found more birds than in any year on record.</p>"
)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://news.example.com"


def score(raw: bytes) -> tuple[float, str]:
    result = subprocess.run(
        [SPAMASSASSIN, "-L", "-t"], input=raw, capture_output=True, timeout=120, check=True
    )
    report = result.stdout.decode("utf-8", "replace")
    head = report.split("\n\n", 1)[0]
    status = re.search(
        r"^X-Spam-Status: .*?score=(-?[\d.]+).*?tests=([\w,\s]*?)\s+autolearn", head, re.M | re.S
    )
    assert status, head
    return float(status[1]), " ".join(status[2].split())


def digest_of(*stories) -> Digest:
    digest = Digest.objects.create(
        subject="All Israel News: Latest news & updates",
        since=min(s.published_at for s in stories),
        until=max(s.published_at for s in stories),
    )
    digest.stories.set(stories)
    return digest


def story(n: int, *, paragraphs: int = 4):
    return make_article(
        headline=f"Cranes return to the Hula valley in record numbers ({n})",
        dek="Thousands of birds stop on their way south, and the farmers count them.",
        body=PARAGRAPH * paragraphs,
        lead_image=make_image(caption="Cranes over the Hula", credit="Photo: Desk"),
        published_at=timezone.now(),
    )


def test_every_message_scores_below_one(mailoutbox, admin_client, admin_user):
    require_tool(SPAMASSASSIN, "apt-get install spamassassin")
    reader = make_subscriber(email="reader@example.com", status=Subscriber.Status.PENDING)
    emails.confirmation_message(reader).send()
    Subscriber.objects.filter(pk=reader.pk).update(
        status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    one = digest_of(story(1))
    long = digest_of(*[story(n) for n in range(2, 9)])
    content = emails.digest_content(one)
    content.message_for(reader).send()
    emails.digest_content(long).message_for(reader).send()
    admin_user.email = "desk@example.com"
    admin_user.save()
    admin_client.post(f"/admin/newsletter/digest/{one.pk}/send-test/")

    names = ["confirmation", "one-story digest", "seven-story digest", "test copy"]
    assert len(mailoutbox) == len(names)
    scores = {}
    for name, message in zip(names, mailoutbox, strict=True):
        scores[name] = score(message.received.raw)
    print("SpamAssassin -L:", "; ".join(f"{n} {s:.1f} ({t})" for n, (s, t) in scores.items()))
    for name, (points, tests) in scores.items():
        assert points < LIMIT, f"{name} scores {points}: {tests}"
    # A short digest goes out without its pictures; a long one has words enough for them.
    assert "<img" not in mailoutbox[1].alternatives[0].content
    assert "<img" in mailoutbox[2].alternatives[0].content
