"""The client's address, as far as it can be trusted.

Behind a load balancer or a CDN, ``REMOTE_ADDR`` is the address of the last proxy, and the
client's address is in ``X-Forwarded-For``, to which each proxy appends the address it got the
request from. Only the entries the proxies wrote can be trusted: a client can send the header
itself with anything on its left. ``TRUSTED_PROXY_COUNT`` says how many proxies there are, and
the client is that many entries from the right: with one load balancer the last entry, with a
CDN in front of it the one before. With 0 (the default: no proxy, ``make run``, ``make serve``)
the header is ignored.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote_addr = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote_addr
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if len(addresses) < count:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote_addr
    return addresses[-count]
