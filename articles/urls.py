from django.urls import path
from django.views.generic import TemplateView

from newsroom.page_cache import public_page

from . import beacon, corrections, feeds, live, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("news/<slug:slug>/", views.article_detail, name="article"),
    path("news/<slug:slug>/live.json", live.poll, name="live-poll"),
    path("news/<slug:slug>/update/<int:pk>/", live.update_link, name="live-update"),
    path("news/<slug:slug>/live/feed/", public_page(feeds.LiveUpdatesFeed()), name="live-feed"),
    path("preview/<str:token>/", views.shared_preview, name="preview"),
    path("section/<slug:slug>/", views.section_detail, name="section"),
    path("author/<slug:slug>/", views.author_detail, name="author"),
    path("tag/<slug:slug>/", views.tag_detail, name="tag"),
    path("search/", views.search, name="search"),
    path("beacon/", beacon.read, name="beacon"),
    path("feed/", public_page(feeds.LatestStoriesFeed()), name="feed"),
    path("feed/atom/", public_page(feeds.LatestStoriesAtomFeed()), name="feed-atom"),
    path("section/<slug:slug>/feed/", public_page(feeds.SectionFeed()), name="section-feed"),
    path(
        "section/<slug:slug>/feed/atom/",
        public_page(feeds.SectionAtomFeed()),
        name="section-feed-atom",
    ),
    path("author/<slug:slug>/feed/", public_page(feeds.AuthorFeed()), name="author-feed"),
    path(
        "author/<slug:slug>/feed/atom/",
        public_page(feeds.AuthorAtomFeed()),
        name="author-feed-atom",
    ),
    path("corrections/", corrections.corrections, name="corrections"),
    path("corrections/feed/", public_page(feeds.CorrectionsFeed()), name="corrections-feed"),
    path(
        "corrections/feed/atom/",
        public_page(feeds.CorrectionsAtomFeed()),
        name="corrections-feed-atom",
    ),
    path(
        "about/", public_page(TemplateView.as_view(template_name="pages/about.html")), name="about"
    ),
    path(
        "privacy/",
        public_page(TemplateView.as_view(template_name="pages/privacy.html")),
        name="privacy",
    ),
]
