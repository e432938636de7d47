"""The read beacon: ``static/js/beacon.js`` posts the story id here once per page view.

Answers 204 with no body and no cookie whatever happens, so the endpoint tells a caller
nothing. A read is counted (``articles.reads``) only when the client is not a known robot,
the id is a published story, and the same client has not read the same story within
``READ_WINDOW_SECONDS``. Costs at most one cached existence check and one upsert.
"""

import logging
import re

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from newsroom.client_ip import client_ip

from . import reads

logger = logging.getLogger(__name__)

# Crawlers, link previews, headless browsers and scripted clients; an empty UA too.
ROBOTS = re.compile(
    r"bot|crawl|spider|slurp|preview|headless|lighthouse|facebookexternalhit|embedly|"
    r"pingdom|monitor|curl|wget|python|httpclient|okhttp|go-http|java/|scrapy|phantomjs",
    re.IGNORECASE,
)
MAX_BODY = 20  # bytes: a story id, with room for whitespace


def is_robot(user_agent: str) -> bool:
    return not user_agent.strip() or ROBOTS.search(user_agent) is not None


def story_id(request: HttpRequest) -> int | None:
    """The story id the page sent, or None for anything else (read only when small)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY:
        return None
    text = request.body.decode("ascii", "replace").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text) or None


@csrf_exempt  # a read count, sent by sendBeacon with no token; it changes nothing of a user's
@require_POST
@never_cache
def read(request: HttpRequest) -> HttpResponse:
    try:
        count(request)
    except Exception:
        # The database or the cache is down, or anything else failed: the read is lost, the
        # reader's page never knows (and the error is logged once, with its traceback).
        logger.exception("Beacon: the read could not be counted.")
    return HttpResponse(status=204)


def count(request: HttpRequest) -> None:
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    article_id = story_id(request)
    if (
        article_id is not None
        and not is_robot(user_agent)
        and reads.is_published(article_id)
        and reads.first_read_in_window(article_id, client_ip(request), user_agent)
    ):
        reads.record_read(article_id)
