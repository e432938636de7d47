"""The site's URLs plus /hello/, the framework's baseline for bench/pages.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    """No query, no template: what the middleware stack and gunicorn alone cost."""
    return HttpResponse("hello")


urlpatterns = [
    path("hello/", hello),
    path("", include("newsroom.urls")),
]

handler500 = "articles.views.server_error"
