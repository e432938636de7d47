"""How long the nginx front (deploy/nginx/) keeps a public answer: until the end of the
current second, at most one second.

nginx counts a cached answer's life in whole seconds from the second it stored it, so its own
``proxy_cache_valid 1s`` keeps a copy between one and two seconds. ``X-Accel-Expires:
@<this second>`` (nginx reads it and passes it to no client) ends the copy when the clock's
second changes, so an edit is behind no copy older than a second. Only answers the front may
keep get it: ``Cache-Control: public`` and no cookie set. First in ``MIDDLEWARE``, so it also
marks the pages the page cache answers itself.
"""

import time


class MicrocacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if "public" in cache_control and "private" not in cache_control and not response.cookies:
            response["X-Accel-Expires"] = f"@{int(time.time())}"
        return response
