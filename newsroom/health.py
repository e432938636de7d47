"""Probes for load balancers and orchestrators.

``GET /healthz``: the process is up and answering; it touches nothing else, so a database or
cache outage does not get every app server killed and restarted. ``GET /readyz``: the process
can do its work: the default database answers ``SELECT 1`` and the default cache stores a
value and gives it back. 200 when both pass, 503 when one fails; the JSON body names each check
(``{"database": "ok", "cache": "failed"}``) and the failure is logged with its traceback.
Neither answer is ever cached.

``HealthCheckMiddleware``, first in ``MIDDLEWARE``, answers both paths before the rest of the
stack runs: a probe comes over plain HTTP from the load balancer, often with the server's own
address as its Host header, and must get neither the HTTPS redirect nor the 400 of a host that
is not in ``ALLOWED_HOSTS`` (the answers do not depend on the Host, so nothing can be poisoned
by one), nor go through sessions or a page cache. The URLconf names the same views.
"""

import logging
import os
import secrets
import socket

from django.core.cache import caches
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# One key per process, overwritten by each probe and gone after a minute.
CACHE_KEY = f"readyz:{socket.gethostname()}:{os.getpid()}"


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    cache = caches["default"]
    value = secrets.token_hex(8)
    cache.set(CACHE_KEY, value, timeout=60)
    if cache.get(CACHE_KEY) != value:
        raise RuntimeError("the cache did not give back the value just stored")


CHECKS = {"database": check_database, "cache": check_cache}


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("Readiness check failed: %s", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(results, status=200 if ready else 503)


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
