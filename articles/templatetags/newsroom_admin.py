from django import template

from articles.desk import desk

register = template.Library()


@register.inclusion_tag("admin/articles/desk.html", takes_context=True)
def newsroom_desk(context):
    """The desk at a glance, for the admin's front page."""
    return {**desk(context["request"].user), "request": context["request"]}
