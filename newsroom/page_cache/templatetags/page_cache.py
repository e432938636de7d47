"""``{% part "articles/_story_main.html" story preview %}``: a template rendered as with
``{% include %}`` (same context), kept in the page cache as a part (``parts.remember``).

The arguments after the template's name are part of its key: plain values (strings, numbers)
as they are, and the values it is rendered from, which must come from ``remember``: their tags
(those they were kept with) are the part's, with whatever its template records while it
renders. A part handed anything else is rendered without being kept, since what that object
shows was never recorded for it. The key also holds the site's address and a digest of the
template's source and of the templates it names.
"""

from django import template
from django.db.models import Model

from ..parts import remember, template_digest
from ..recording import depends_on, tags_of

register = template.Library()


def _dependency_key(value) -> str:
    if isinstance(value, Model):
        return f"{value._meta.label_lower}:{value.pk}"
    return "" if value is None else str(value)


class PartNode(template.Node):
    def __init__(self, name, dependencies):
        self.name = name
        self.dependencies = dependencies

    def render(self, context):
        name = self.name.resolve(context)
        dependencies = [dependency.resolve(context) for dependency in self.dependencies]
        request = context.get("request")
        site = f"{request.scheme}://{request.get_host()}" if request is not None else ""
        key = "|".join(
            ["template", name, template_digest(name), site, *map(_dependency_key, dependencies)]
        )

        def render():
            part = context.template.engine.get_template(name)
            with context.push():
                return part.render(context)

        tags = [tags_of(value) for value in dependencies]
        if None in tags:
            return render()

        def render_recorded():
            depends_on(*(tag for found in tags for tag in found))
            return render()

        return remember(key, render_recorded)


@register.tag
def part(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            "{% part %} needs a template name, then what the part depends on, e.g. "
            '{% part "articles/_story_main.html" story %}.'
        )
    return PartNode(parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]])
