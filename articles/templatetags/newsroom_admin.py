from django import template
from django.utils import timezone

from articles.models import Article

register = template.Library()


@register.inclusion_tag("admin/articles/dashboard.html")
def newsroom_dashboard(limit: int = 10):
    """The desk at a glance: stories in review, scheduled, and recently published."""
    now = timezone.now()
    stories = Article.objects.select_related("owner", "last_edited_by", "section").defer("body")
    published = Article.Status.PUBLISHED
    return {
        "in_review": stories.filter(status=Article.Status.REVIEW).order_by("modified_at")[:limit],
        "scheduled": stories.filter(status=published, published_at__gt=now).order_by(
            "published_at"
        )[:limit],
        "recent": stories.filter(status=published, published_at__lte=now).order_by("-published_at")[
            :limit
        ],
    }
