import posixpath

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve


def serve_media(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # Uploads never overwrite (storage picks a new name) and rendition names carry a digest
    # of their picture: a file in these folders never changes, so browsers and a CDN keep it.
    if posixpath.normpath(path).lstrip("/").startswith(("images/", "renditions/")):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


urlpatterns = [
    path("admin/", admin.site.urls),
    path("newsletter/", include("newsletter.urls")),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded images from local storage; a CDN in front caches them (see README, Deploying).
    urlpatterns += [
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"),
    ]

handler500 = "articles.views.server_error"
