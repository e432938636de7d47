from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve


def serve_media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


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
