"""A page's query count does not grow with its content."""

import pytest

from articles.models import Author
from tests.factories import make_article, make_author, make_image, make_section, make_tag

pytestmark = pytest.mark.django_db

# Article page: the story; its bylines with authors and photos; its tags; its correction
# notes; Popular; Latest; the section navigation.
ARTICLE_QUERIES = 7
# Home: the top story, the latest stories, the section navigation.
HOME_QUERIES = 3
# Listings: the owner, the count for pagination, the page of stories, the navigation.
LISTING_QUERIES = 4


def build(n_authors: int, n_tags: int, n_others: int):
    section = make_section()
    authors = [make_author(photo=make_image()) for _ in range(n_authors)]
    authors[0].kind = Author.Kind.ORGANISATION
    authors[0].save()
    tags = [make_tag() for _ in range(n_tags)]
    for _ in range(n_others):
        make_article(section=section, lead_image=make_image(), authors=authors, tags=tags)
    make_section()
    return make_article(section=section, lead_image=make_image(), authors=authors, tags=tags)


@pytest.mark.parametrize(("n_authors", "n_tags", "n_others"), [(1, 1, 1), (5, 10, 12)])
def test_article_page_query_count(client, django_assert_num_queries, n_authors, n_tags, n_others):
    article = build(n_authors, n_tags, n_others)
    with django_assert_num_queries(ARTICLE_QUERIES):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response.text.count('rel="author"') == n_authors


@pytest.mark.parametrize(("n_authors", "n_tags", "n_others"), [(1, 1, 1), (5, 10, 12)])
def test_home_page_query_count(client, django_assert_num_queries, n_authors, n_tags, n_others):
    build(n_authors, n_tags, n_others)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.status_code == 200


@pytest.mark.parametrize("n_others", [1, 15])
def test_listing_page_query_count(client, django_assert_num_queries, n_others):
    article = build(3, 3, n_others)
    for url in [
        article.section.get_absolute_url(),
        article.byline[0].get_absolute_url(),
        article.tags.first().get_absolute_url(),
    ]:
        with django_assert_num_queries(LISTING_QUERIES):
            assert client.get(url).status_code == 200
