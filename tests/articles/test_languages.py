"""A story's language tag and its direction."""

import pytest
from django.core.exceptions import ValidationError

from articles import languages


@pytest.mark.parametrize(
    ("written", "tag"),
    [
        ("he_IL", "he-IL"),
        ("he-il", "he-IL"),
        ("HE", "he"),
        ("pt_BR", "pt-BR"),
        ("", ""),
        ("עברית", ""),
        ("x", ""),
        ("zh-Hant-TW", "zh-hant-TW"),
    ],
)
def test_tags_as_wordpress_writes_them_become_bcp_47(written, tag):
    assert languages.normalise(written) == tag


@pytest.mark.parametrize(
    ("tag", "direction"),
    [
        ("he", "rtl"),
        ("he-IL", "rtl"),
        ("ar", "rtl"),
        ("fa", "rtl"),
        ("ur", "rtl"),
        ("en", "ltr"),
        ("fr-CA", "ltr"),
        ("xx", "ltr"),
        ("", "ltr"),
    ],
)
def test_right_to_left_languages(tag, direction):
    assert languages.language_direction(tag) == direction


def test_the_sites_own_language_needs_no_tag(settings):
    settings.LANGUAGE_CODE = "en-gb"
    assert languages.is_site_language("en-US")
    assert languages.is_site_language("")
    assert not languages.is_site_language("he")


def test_a_tag_that_is_not_one_is_refused_with_the_way_to_write_it():
    languages.validate_language_tag("he-IL")
    with pytest.raises(ValidationError, match="he-IL"):
        languages.validate_language_tag("he_IL")
    with pytest.raises(ValidationError, match="not a language tag"):
        languages.validate_language_tag("Hebrew!")


HEBREW = "המעבורת חוזרת לשגרה"


@pytest.mark.django_db
def test_a_story_in_another_language_is_marked_in_every_list(client):
    """Cards, rows and the Popular and Latest lists carry the story's lang and dir wherever its
    headline or sub-headline shows, so a reader's browser lays the words out right to left."""
    from lxml import html

    from tests.factories import make_article, make_section

    section = make_section(name="Harbour", slug="harbour")
    make_article(headline=HEBREW, dek="אחרי שלושה שבועות", language="he", section=section)
    for n in range(3):
        make_article(headline=f"English story {n}", section=section)
    english = make_article(headline="The English story", section=section)
    for url in ("/", section.get_absolute_url(), english.get_absolute_url()):
        page = html.fromstring(client.get(url).content)
        shown = [
            element
            for element in page.xpath("//body//*[not(self::script)]")
            if element.text and ("המעבורת" in element.text or "אחרי שלושה" in element.text)
        ]
        assert shown, url
        for element in shown:
            marked = element.xpath("ancestor-or-self::*[@lang][1]")
            assert [(e.get("lang"), e.get("dir")) for e in marked] == [("he", "rtl")], (
                url,
                html.tostring(element),
            )
