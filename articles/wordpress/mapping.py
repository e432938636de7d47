"""The mapping file (``--map FILE``, YAML) and ``--author-map``: how an export's categories
and people become Newsroom's sections and bylines. Every key is checked before the import
starts, so a typo stops it with a message instead of importing the wrong way.

```yaml
sections:            # a category (its slug) -> the section its stories go to
  europe: World      # a nested category joins a section of your choosing
  uncategorized:     # empty: stories only in this category get no section
authors:             # a WordPress login -> the byline
  newsdesk: {name: Newsdesk Staff, organisation: true, bio: The newsroom's own desk.}
  jdoe: {bio: Jane Doe covers climate and energy.}
category_base: category   # the archive addresses, if the site changed them
tag_base: tag
author_base: author
```
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

TOP_KEYS = {"sections", "authors", "category_base", "tag_base", "author_base"}
AUTHOR_KEYS = {"name", "bio", "organisation", "slug"}


class MappingError(Exception):
    pass


@dataclass
class AuthorRule:
    name: str = ""
    bio: str = ""
    organisation: bool = False
    slug: str = ""


@dataclass
class Mapping:
    sections: dict[str, str | None] = field(default_factory=dict)
    authors: dict[str, AuthorRule] = field(default_factory=dict)
    category_base: str = "category"
    tag_base: str = "tag"
    author_base: str = "author"


def _text(value, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise MappingError(f"{where} must be text, not a {type(value).__name__}")
    return str(value).strip()


def load(path: str | None, author_map: list[str] = ()) -> Mapping:
    mapping = Mapping()
    if path:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"cannot read the mapping file {path}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise MappingError(f"the mapping file {path} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise MappingError(f"the mapping file {path} must be a mapping of keys to values")
        unknown = sorted(set(map(str, data)) - TOP_KEYS)
        if unknown:
            raise MappingError(
                f"unknown key {unknown[0]!r} in {path} (allowed: {', '.join(sorted(TOP_KEYS))})"
            )
        sections = data.get("sections") or {}
        if not isinstance(sections, dict):
            raise MappingError("'sections' must map category slugs to section names")
        for slug, name in sections.items():
            mapping.sections[str(slug)] = _text(name, f"sections.{slug}") or None
        authors = data.get("authors") or {}
        if not isinstance(authors, dict):
            raise MappingError("'authors' must map WordPress logins to bylines")
        for login, rule in authors.items():
            if isinstance(rule, str):
                rule = {"name": rule}
            if not isinstance(rule, dict):
                raise MappingError(f"authors.{login} must be a name or a mapping")
            unknown = sorted(set(map(str, rule)) - AUTHOR_KEYS)
            if unknown:
                raise MappingError(
                    f"unknown key {unknown[0]!r} in authors.{login} "
                    f"(allowed: {', '.join(sorted(AUTHOR_KEYS))})"
                )
            organisation = rule.get("organisation", False)
            if not isinstance(organisation, bool):
                raise MappingError(f"authors.{login}.organisation must be true or false")
            mapping.authors[str(login)] = AuthorRule(
                name=_text(rule.get("name"), f"authors.{login}.name"),
                bio=_text(rule.get("bio"), f"authors.{login}.bio"),
                organisation=organisation,
                slug=_text(rule.get("slug"), f"authors.{login}.slug"),
            )
        for key in ("category_base", "tag_base", "author_base"):
            if key in data:
                value = _text(data[key], key).strip("/")
                if not value:
                    raise MappingError(f"{key} cannot be empty")
                setattr(mapping, key, value)
    for entry in author_map:
        login, equals, name = entry.partition("=")
        if not equals or not login.strip() or not name.strip():
            raise MappingError(f"--author-map takes LOGIN=BYLINE, not {entry!r}")
        rule = mapping.authors.setdefault(login.strip(), AuthorRule())
        rule.name, rule.organisation = name.strip(), True
    return mapping
