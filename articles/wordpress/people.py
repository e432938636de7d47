"""An export's people and terms as Newsroom's authors, sections and tags.

Authors: display name (else first and last name, else login) and the biography the mapping
file gives (WordPress does not export it) or a Co-Authors Plus guest author carries. A
person with the name of an existing author is that author. No login is ever created.

Sections: a story's first category decides it: the mapping file's section for that category
if it names one, else the category's top-level ancestor, so a nested category ("World >
Europe") files its stories under "World" and becomes a tag ("Europe") as well. The default
"Uncategorized" gives no section. Every other category and every tag becomes a tag. Names
keep their letters (non-ASCII included); an address slug that would be empty is
``section-<term id>``/``tag-<term id>``.

A category's archive addresses (``/category/<slug>/``, ``?cat=ID``) lead to its section when it
is any story's section, even if other stories have it as a tag, whichever story comes first
in the file or was imported first: a tag never takes an archive over from a section.
"""

from html import unescape

from django.utils.text import slugify

from ..models import Author, Section, Tag
from . import addresses
from .mapping import Mapping
from .parse import Person, Term

UNCATEGORIZED = "uncategorized"


def _free_slug(model, base: str, max_length: int) -> str:
    base = base[:max_length].strip("-")
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


def named(model, name: str, fallback_slug: str):
    """The section or tag with this name, else one with its slug, else a new one."""
    max_length = model._meta.get_field("name").max_length
    name = name[:max_length].strip()
    found = model.objects.filter(name=name).first()
    if found:
        return found
    slug = slugify(name) or fallback_slug
    found = model.objects.filter(slug=slug).first()
    if found and found.name.casefold() == name.casefold():
        return found
    return model.objects.create(name=name, slug=_free_slug(model, slug, max_length))


class People:
    """What the header of an export says about people and terms, and the rows made of them
    (once each per run)."""

    def __init__(self, mapping: Mapping, site_prefix: str = ""):
        self.mapping = mapping
        self.prefix = site_prefix
        self.persons: dict[str, Person] = {}
        self.bios: dict[str, str] = {}  # login -> biography (guest authors)
        self.categories: dict[str, Term] = {}
        self.tags: dict[str, Term] = {}
        # The rows made once per run (a few hundred at most, whatever the export's length).
        self._authors: dict[str, Author] = {}
        self._sections: dict[str, Section | None] = {}
        self._tags: dict[tuple[str, str], Tag | None] = {}

    def forget(self) -> None:
        """Drop the rows remembered: a story's transaction rolled back may have made them."""
        self._authors.clear()
        self._sections.clear()
        self._tags.clear()

    # Authors ---------------------------------------------------------------------------------

    def author(self, login: str) -> Author:
        if login in self._authors:
            return self._authors[login]
        person = self.persons.get(login) or Person(login=login)
        rule = self.mapping.authors.get(login)
        full = f"{person.first_name} {person.last_name}".strip()
        name = (rule.name if rule and rule.name else "") or person.display_name or full or login
        name = unescape(name)[:150].strip()
        slug = (rule.slug if rule and rule.slug else "") or slugify(name) or slugify(login)
        slug = slug[:150] or f"author-{person.author_id or len(self._authors) + 1}"
        kind = Author.Kind.ORGANISATION if rule and rule.organisation else Author.Kind.PERSON
        bio = (rule.bio if rule else "") or self.bios.get(login, "")
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            author = Author.objects.create(name=name, slug=slug, kind=kind, bio=bio)
        elif bio and not author.bio:
            author.bio = bio
            author.save(update_fields=["bio"])
        self._authors[login] = author
        base = f"{self.prefix}/{self.mapping.author_base}"
        paths = [f"{base}/{nicename}/" for nicename in {slugify(login), login.lower()} if nicename]
        if person.author_id:
            paths.append(f"{self.prefix}/?author={person.author_id}")
        addresses.point(*paths, author=author)
        return author

    # Sections and tags ---------------------------------------------------------------------

    def _ancestry(self, slug: str) -> list[Term]:
        """The category and its ancestors, top-level first."""
        chain: list[Term] = []
        term = self.categories.get(slug)
        while term is not None and term not in chain and len(chain) < 20:
            chain.insert(0, term)
            term = self.categories.get(term.parent) if term.parent else None
        return chain

    def _category_addresses(self, slug: str, **target) -> None:
        chain = self._ancestry(slug)
        base = f"{self.prefix}/{self.mapping.category_base}"
        paths = {f"{base}/{slug}/"}
        if chain:
            paths.add(f"{base}/{'/'.join(term.slug for term in chain)}/")
            if chain[-1].term_id:
                paths.add(f"{self.prefix}/?cat={chain[-1].term_id}")
        if "tag" in target:
            paths -= addresses.leading_to_sections(paths)
        addresses.point(*sorted(paths), **target)

    def section(self, slug: str, name: str = "") -> Section | None:
        """The section a story in this category goes to (None for none)."""
        if slug in self._sections:
            return self._sections[slug]
        chain = self._ancestry(slug)
        # The archive that leads to the section: the category's own when the mapping names
        # its section, else its top-level ancestor's (a nested category leads to its tag).
        archive = slug if slug in self.mapping.sections or not chain else chain[0].slug
        if slug in self.mapping.sections:
            section_name = self.mapping.sections[slug]
        elif chain and chain[0].slug in self.mapping.sections:
            section_name = self.mapping.sections[chain[0].slug]
        elif (chain[0].slug if chain else slug) == UNCATEGORIZED:
            section_name = None
        else:
            section_name = unescape(chain[0].name if chain else name or slug)
        section = None
        if section_name:
            top = chain[0] if chain else None
            fallback = f"section-{top.term_id}" if top and top.term_id else "section"
            section = named(Section, section_name, fallback)
            self._category_addresses(archive, section=section)
        self._sections[slug] = section
        return section

    def tag(self, kind: str, slug: str, name: str = "") -> Tag | None:
        key = (kind, slug)
        if key in self._tags:
            return self._tags[key]
        term = (self.categories if kind == "category" else self.tags).get(slug)
        name = unescape(term.name if term else name or slug).strip()
        if not name:
            self._tags[key] = None
            return None
        fallback = f"tag-{term.term_id}" if term and term.term_id else "tag"
        tag = named(Tag, name, fallback)
        self._tags[key] = tag
        if kind == "category":
            self._category_addresses(slug, tag=tag)
        else:
            base = f"{self.prefix}/{self.mapping.tag_base}"
            addresses.point(f"{base}/{slug}/", f"{self.prefix}/?tag={slug}", tag=tag)
        return tag

    def is_nested(self, slug: str) -> bool:
        return len(self._ancestry(slug)) > 1
