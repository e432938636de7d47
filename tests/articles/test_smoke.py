import pytest

from tests.factories import make_article, make_author, make_image, make_section, make_tag


@pytest.mark.django_db
def test_article_page_renders(client):
    article = make_article(
        section=make_section(),
        lead_image=make_image(),
        authors=[make_author()],
        tags=[make_tag()],
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert article.headline in response.text
