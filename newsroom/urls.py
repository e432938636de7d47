import posixpath

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.static import serve

from articles.sitemaps import SITEMAPS, TEMPLATE_NAME
from newsroom import health, outbox
from newsroom.page_cache import covered_by, public_page


def serve_media(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # Uploads never overwrite (storage picks a new name) and rendition names carry a digest
    # of their picture: a file in these folders never changes, so browsers and a CDN keep it.
    if posixpath.normpath(path).lstrip("/").startswith(("images/", "renditions/")):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def favicon(request):
    """The site's icon for browsers that ask for /favicon.ico (the hashed static name is
    only known once the request comes, after collectstatic)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def sitemap_page(view):
    """A sitemap view served from the page cache. It lists every public story (section,
    author, lead image), and any change to one of those invalidates ``list:all``, which
    stands for them all (articles.invalidation)."""

    def listing_everything(request, *args, **kwargs):
        with covered_by("list:all"):
            return view(request, *args, **kwargs)

    return public_page(listing_everything, reads=("p",))


urlpatterns = [
    # Load balancer probes; HealthCheckMiddleware answers them first (see newsroom/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's login, raw files).
    path("favicon.ico", favicon, name="favicon"),
    # Local mail for staff (newsroom/outbox.py), before the admin's catch-all.
    path("admin/outbox/", outbox.outbox, name="outbox"),
    path("admin/outbox/<str:name>", outbox.outbox_file, name="outbox-file"),
    # The second factor's pages (accounts), in the admin's address space and look.
    path("admin/account/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("newsletter/", include("newsletter.urls")),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    path(
        "sitemap.xml",
        sitemap_page(sitemaps_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_page(sitemaps_views.sitemap),
        {"sitemaps": SITEMAPS, "template_name": TEMPLATE_NAME},
        name="sitemap-section",
    ),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded images from local storage; a CDN in front caches them (see README, Deploying).
    urlpatterns += [
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"),
    ]

handler500 = "articles.views.server_error"
