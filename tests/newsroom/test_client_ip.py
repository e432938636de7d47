"""The client's address behind proxies (TRUSTED_PROXY_COUNT), and the two places that use it:
the newsletter's signup rate limit and the read beacon's reload window."""

import pytest
from django.test import Client, RequestFactory

from articles.models import DailyReads
from newsletter.models import Subscriber
from newsroom.client_ip import client_ip
from tests.factories import make_article

BALANCER = "10.0.0.2"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def request(forwarded_for=None, remote_addr=BALANCER):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        # No proxy: the header is anyone's to write, and ignored.
        (0, "198.51.100.9", BALANCER),
        (0, None, BALANCER),
        # One load balancer: it appended the address it saw, the last entry.
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "203.0.113.66, 198.51.100.9", "198.51.100.9"),  # a spoofed entry on the left
        (1, " 203.0.113.66 ,198.51.100.9 ", "198.51.100.9"),
        (1, "2001:db8::7", "2001:db8::7"),
        # A CDN in front of the balancer: the client is the one before the CDN's edge.
        (2, "198.51.100.9, 192.0.2.40", "198.51.100.9"),
        (2, "203.0.113.66, 203.0.113.67, 198.51.100.9, 192.0.2.40", "198.51.100.9"),
        # Fewer entries than proxies: not through all of them, so the direct peer.
        (2, "198.51.100.9", BALANCER),
        (1, "", BALANCER),
        (1, None, BALANCER),
        (1, " , ", BALANCER),
    ],
)
def test_client_ip(settings, count, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(forwarded_for)) == expected


@pytest.mark.django_db
def test_the_signup_rate_limit_counts_each_client_behind_the_balancer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FORWARDED_ALLOW_IPS = [BALANCER]
    settings.NEWSLETTER_SIGNUP_RATE = (2, 600)
    reader = Client()

    def sign_up(email, client_address, spoofed=""):
        forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
        reader.post(
            "/newsletter/subscribe/",
            {"email": email, "source": "/"},
            REMOTE_ADDR=BALANCER,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    sign_up("one@example.com", "198.51.100.9")
    sign_up("two@example.com", "198.51.100.9", spoofed="203.0.113.1")
    # The third from the same client is over the limit, however it varies the left entries.
    sign_up("three@example.com", "198.51.100.9", spoofed="203.0.113.2")
    # Another reader behind the same balancer has a limit of their own.
    sign_up("four@example.com", "198.51.100.20")

    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "one@example.com",
        "two@example.com",
        "four@example.com",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "reads"), [(1, 2), (0, 1)])
def test_the_beacon_tells_readers_behind_the_balancer_apart(client, settings, count, reads):
    """Two readers of one story behind one balancer: two reads when the balancer is trusted;
    without, they look like one client reloading the page, and count once."""
    settings.TRUSTED_PROXY_COUNT = count
    settings.FORWARDED_ALLOW_IPS = [BALANCER]
    story = make_article()
    for reader in ("198.51.100.9", "198.51.100.20"):
        response = client.post(
            "/beacon/",
            str(story.pk),
            content_type="text/plain;charset=UTF-8",
            HTTP_USER_AGENT=BROWSER,
            REMOTE_ADDR=BALANCER,
            HTTP_X_FORWARDED_FOR=reader,
        )
        assert response.status_code == 204
    assert DailyReads.objects.get(article=story).count == reads
