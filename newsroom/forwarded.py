"""Forwarded headers are believed only from the proxies the operator names.

A proxy in front of the app (nginx, a load balancer, a CDN) says how the client connected and
who it is in headers it sets: ``X-Forwarded-Proto``, ``X-Forwarded-For`` and the like. Anyone
can send those headers, so they mean something only on a request that came from such a proxy.
``FORWARDED_ALLOW_IPS`` names the proxies (the variable gunicorn reads for the same purpose):
addresses or networks, comma-separated, or ``*`` for any peer. On a request from any other peer
the middleware drops them before anything reads them: the page cache, the HTTPS decision
(``SECURE_PROXY_SSL_HEADER``), the client's address (``newsroom.client_ip``). So a client that
reaches the app servers directly, past nginx, can neither claim HTTPS nor choose its address.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The request headers, as Django names them, through which proxies speak.
HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


@functools.cache
def networks(allowed: tuple[str, ...]) -> tuple | None:
    """The networks ``allowed`` names, or None for any peer (``*``). A bad entry stops with
    a message naming it."""
    if "*" in allowed:
        return None
    found = []
    for entry in allowed:
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"FORWARDED_ALLOW_IPS holds {entry!r}, which is not an address or a network "
                "(e.g. 127.0.0.1, 10.0.0.0/8, or * for any)."
            ) from None
    return tuple(found)


def from_named_proxy(remote_addr: str, allowed) -> bool:
    named = networks(tuple(allowed))
    if named is None:
        return True
    try:
        peer = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(peer in network for network in named)


class ForwardedHeadersMiddleware:
    """First in the chain: a request from a peer ``FORWARDED_ALLOW_IPS`` does not name loses
    its forwarded headers (and the one ``SECURE_PROXY_SSL_HEADER`` names)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if not from_named_proxy(meta.get("REMOTE_ADDR", ""), settings.FORWARDED_ALLOW_IPS):
            for name in HEADERS:
                meta.pop(name, None)
            ssl_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
            if ssl_header:
                meta.pop(ssl_header[0], None)
        return self.get_response(request)
