"""Section, author and tag pages: heading and description, pagination with canonical and
prev/next addresses, and a query count that does not grow with the stories shown."""

import shutil

import pytest
from lxml import html as lxml_html

from tests.factories import make_article, make_author, make_image, make_section, make_tag
from tests.helpers import require_tool

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
KINDS = ["section", "author", "tag"]
# The owner, the page of stories (one more row than shown: no count), the section
# navigation, the breaking-news banner, the next scheduled story's time (the page cache's).
LISTING_QUERIES = 5


def make_owner(kind: str):
    if kind == "section":
        return make_section(description="Politics, water and the coast.")
    if kind == "author":
        return make_author(bio="Covers the Negev.", photo=make_image())
    return make_tag()


def make_stories(kind: str, owner, n: int) -> list:
    link = {"section": {"section": owner}, "author": {"authors": [owner]}, "tag": {"tags": [owner]}}
    return [make_article(lead_image=make_image(), **link[kind]) for _ in range(n)]


def head_links(html: str) -> dict[str, list[str]]:
    tree = lxml_html.fromstring(html)
    return {
        rel: tree.xpath(f'//head/link[@rel="{rel}"]/@href') for rel in ("canonical", "prev", "next")
    }


@pytest.mark.parametrize("kind", KINDS)
def test_pages_have_canonical_prev_and_next(client, settings, kind):
    settings.LIST_PAGE_SIZE = 2
    owner = make_owner(kind)
    stories = make_stories(kind, owner, 5)  # pages of 2, 2, 1
    path = owner.get_absolute_url()
    base = BASE + path

    pages = {}
    for query in ["", "?page=1", "?page=2", "?page=3"]:
        response = client.get(path + query)
        assert response.status_code == 200, query
        pages[query] = response.text

    expected = {
        "": {"canonical": [base], "prev": [], "next": [f"{base}?page=2"]},
        "?page=2": {"canonical": [f"{base}?page=2"], "prev": [base], "next": [f"{base}?page=3"]},
        "?page=3": {"canonical": [f"{base}?page=3"], "prev": [f"{base}?page=2"], "next": []},
    }
    for query, links in expected.items():
        assert head_links(pages[query]) == links, query
    # ?page=1 is page 1, whose address has no ?page=.
    assert head_links(pages["?page=1"]) == expected[""]
    # Each address in the head is one of the pages, newest stories first.
    assert stories[0].headline in pages[""]
    assert stories[2].headline in pages["?page=2"]
    assert stories[4].headline in pages["?page=3"]
    assert stories[4].headline not in pages[""]
    assert client.get(path + "?page=4").status_code == 404
    assert client.get(path + "?page=0").status_code == 404
    assert "(page 2)" in pages["?page=2"]


@pytest.mark.parametrize("kind", KINDS)
def test_visible_pagination_links(client, settings, kind):
    settings.LIST_PAGE_SIZE = 2
    owner = make_owner(kind)
    make_stories(kind, owner, 5)
    path = owner.get_absolute_url()

    def nav(query):
        tree = lxml_html.fromstring(client.get(path + query).text)
        (pagination,) = tree.xpath('//nav[@class="pagination"]')
        links = {a.get("rel"): a.get("href") for a in pagination.xpath(".//a")}
        return links, pagination.text_content()

    assert nav("")[0] == {"next": "?page=2"}
    links, text = nav("?page=2")
    assert links == {"prev": path, "next": "?page=3"}
    assert "Page 2" in text
    assert nav("?page=3")[0] == {"prev": "?page=2"}


def test_one_page_listing_has_no_pagination(client):
    section = make_section()
    make_stories("section", section, 2)
    html = client.get(section.get_absolute_url()).text
    assert head_links(html) == {
        "canonical": [BASE + section.get_absolute_url()],
        "prev": [],
        "next": [],
    }
    assert 'class="pagination"' not in html


def test_headings_and_descriptions(client):
    section = make_owner("section")
    author = make_owner("author")
    tag = make_owner("tag")

    tree = lxml_html.fromstring(client.get(section.get_absolute_url()).text)
    assert tree.xpath("//h1/text()") == [section.name]
    assert (
        "Politics, water and the coast."
        in tree.xpath('//header[@class="listing-header"]')[0].text_content()
    )
    assert tree.xpath('//meta[@name="description"]/@content') == ["Politics, water and the coast."]

    tree = lxml_html.fromstring(client.get(author.get_absolute_url()).text)
    assert tree.xpath("//h1/text()") == [author.name]
    header = tree.xpath('//header[@class="listing-header"]')[0]
    assert "Covers the Negev." in header.text_content()
    (photo,) = header.xpath(".//img/@src")
    assert photo == author.photo.fallback_url  # a copy near its size, the srcset for the rest
    assert client.get(photo).status_code == 200

    tree = lxml_html.fromstring(client.get(tag.get_absolute_url()).text)
    assert tree.xpath("//h1/text()") == [tag.name]
    assert (
        f"Stories tagged “{tag.name}”"
        in tree.xpath('//header[@class="listing-header"]')[0].text_content()
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n_stories", [1, 20])
def test_query_count_does_not_grow_with_stories(client, django_assert_num_queries, kind, n_stories):
    owner = make_owner(kind)
    make_stories(kind, owner, n_stories)
    with django_assert_num_queries(LISTING_QUERIES):
        response = client.get(owner.get_absolute_url())
    assert response.status_code == 200
    assert response.text.count('class="card"') == n_stories


def test_later_pages_are_valid_html(client, settings, tmp_path):
    """test_html_quality checks page 1; a middle page has prev and next links as well."""
    from tests.test_html_quality import VNU, html_problems

    require_tool(VNU, "npm ci, as make test does")
    require_tool(shutil.which("java") or "java", "apt-get install default-jre-headless")
    settings.LIST_PAGE_SIZE = 1
    files = []
    for kind in KINDS:
        owner = make_owner(kind)
        make_stories(kind, owner, 3)
        path = tmp_path / f"{kind}.html"
        path.write_bytes(client.get(owner.get_absolute_url() + "?page=2").content)
        files.append(str(path))
    assert html_problems(files) == []
