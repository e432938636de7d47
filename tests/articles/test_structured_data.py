"""Structured data read the way search engines and social sites read it (extruct's JSON-LD
and OpenGraph parsers), checked against the story rather than for presence."""

import datetime as dt
import io
from urllib.parse import urlsplit

import extruct
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from lxml import html as lxml_html
from PIL import Image as PILImage

from articles import images
from tests.factories import (
    make_article,
    make_author,
    make_image,
    make_section,
    make_story,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def story():
    """The model story with a summary of its own and a picture wide enough for every crop."""
    return make_story(
        description="A second hall doubles the plant's output.",
        lead_image=make_image(alt_text="Pipes at the plant", width=2000, height=1250),
    )


def extract(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return extruct.extract(
        response.text, base_url=BASE + url, syntaxes=["json-ld", "opengraph"], uniform=False
    ) | {"html": response.text}


def of_type(data: dict, schema_type: str) -> dict:
    found = [item for item in data["json-ld"] if item.get("@type") == schema_type]
    assert len(found) == 1, [item.get("@type") for item in data["json-ld"]]
    return found[0]


def opengraph(data: dict) -> dict[str, list[str]]:
    (graph,) = data["opengraph"]
    props: dict[str, list[str]] = {}
    for name, value in graph["properties"]:
        props.setdefault(name, []).append(value)
    return props


def resolves(client, url: str) -> bool:
    """An absolute URL of this site that answers 200 (its file is read to the end)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code == 200


def same_time(text: str, expected: dt.datetime) -> bool:
    parsed = dt.datetime.fromisoformat(text)
    return parsed.utcoffset() is not None and parsed == expected.replace(microsecond=0)


def test_news_article_carries_the_story(client, story):
    article = of_type(extract(client, story.get_absolute_url()), "NewsArticle")
    page = f"{BASE}/news/desalination-plant-doubles/"
    assert article["@context"] == "https://schema.org"
    assert article["headline"] == story.headline
    assert article["description"] == story.description
    assert same_time(article["datePublished"], story.published_at)
    assert same_time(article["dateModified"], story.updated_at)
    assert article["mainEntityOfPage"] == {"@type": "WebPage", "@id": page}
    assert article["articleSection"] == "All Israel"
    assert sorted(article["keywords"]) == ["Energy", "Water"]
    assert [(a["@type"], a["name"]) for a in article["author"]] == [
        ("Organization", "All Israel News Staff"),
        ("Person", "Dana Levi"),
    ]
    assert [a["url"] for a in article["author"]] == [
        f"{BASE}/author/all-israel-news-staff/",
        f"{BASE}/author/dana-levi/",
    ]
    for url in [page] + [a["url"] for a in article["author"]]:
        assert resolves(client, url), url


def test_news_article_images_are_crops_in_three_ratios(client, story):
    images = of_type(extract(client, story.get_absolute_url()), "NewsArticle")["image"]
    assert len(images) == 3
    ratios = []
    for url in images:
        assert url.startswith(f"{BASE}/media/renditions/{story.lead_image.pk}/")
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200
        with PILImage.open(io.BytesIO(b"".join(response.streaming_content))) as picture:
            ratios.append(round(picture.width / picture.height, 2))
    assert ratios == [round(16 / 9, 2), round(4 / 3, 2), 1.0]


def test_crops_follow_the_focal_point(story):
    image = story.lead_image
    before = image.renditions["crops"]["1x1"]
    image.focal_x, image.focal_y = 10, 50
    image.save()
    image.refresh_from_db()
    after = image.renditions["crops"]["1x1"]
    assert after != before
    assert "-f10x50-" in after
    left, _top, right, _bottom = images.crop_box(2000, 1000, (1, 1), (10, 50))
    assert (left, right) == (0, 1000)  # pushed against the left edge, not centred


def test_news_article_image_is_the_original_until_renditions_exist(client):
    image = make_image()
    image.renditions = {}
    image.save()
    story = make_article(lead_image=image)
    images = of_type(extract(client, story.get_absolute_url()), "NewsArticle")["image"]
    assert images == [BASE + image.file.url]
    assert resolves(client, images[0])


def test_publisher_is_the_organization_with_its_logo(client, story):
    publisher = of_type(extract(client, story.get_absolute_url()), "NewsArticle")["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == settings.SITE_NAME
    assert publisher["url"] == f"{BASE}/"
    logo = publisher["logo"]
    assert logo["@type"] == "ImageObject"
    assert logo["url"] == f"{BASE}/static/img/logo.png"
    assert (logo["width"], logo["height"]) == (600, 60)
    assert resolves(client, logo["url"])


def test_logo_setting_matches_the_file():
    spec = settings.SITE_LOGO
    with PILImage.open(finders.find(spec["path"])) as picture:
        assert picture.size == (spec["width"], spec["height"])


def test_breadcrumbs_lead_home_to_section_to_story(client, story):
    data = extract(client, story.get_absolute_url())
    trail = of_type(data, "BreadcrumbList")["itemListElement"]
    assert [(i["@type"], i["position"], i["name"], i["item"]) for i in trail] == [
        ("ListItem", 1, "Home", f"{BASE}/"),
        ("ListItem", 2, "All Israel", f"{BASE}/section/all-israel/"),
        ("ListItem", 3, story.headline, f"{BASE}/news/desalination-plant-doubles/"),
    ]
    for item in trail:
        assert resolves(client, item["item"]), item
    nav = lxml_html.fromstring(data["html"]).xpath('//nav[@aria-label="Breadcrumb"]')
    assert len(nav) == 1
    assert nav[0].xpath(".//a/@href") == ["/section/all-israel/"]


def test_story_without_section_or_image(client):
    story = make_article(headline="A plain story", authors=[make_author(name="Ann Other")])
    data = extract(client, story.get_absolute_url())
    trail = of_type(data, "BreadcrumbList")["itemListElement"]
    assert [(i["position"], i["name"]) for i in trail] == [(1, "Home"), (2, "A plain story")]
    article = of_type(data, "NewsArticle")
    assert "image" not in article
    assert "articleSection" not in article
    assert "keywords" not in article
    assert article["author"][0]["@type"] == "Person"
    assert article["description"] == story.summary
    assert 'aria-label="Breadcrumb"' not in data["html"]
    assert '<meta name="twitter:card" content="summary">' in data["html"]


def test_opengraph_and_twitter_describe_the_story(client, story):
    data = extract(client, story.get_absolute_url())
    og = opengraph(data)
    page = f"{BASE}/news/desalination-plant-doubles/"
    assert og["og:type"] == ["article"]
    assert og["og:title"] == [story.headline]
    assert og["og:description"] == [story.description]
    assert og["og:url"] == [page]
    assert og["og:site_name"] == [settings.SITE_NAME]
    assert og["og:image:alt"] == ["Pipes at the plant"]
    assert resolves(client, og["og:image"][0])
    (published,) = og["article:published_time"]
    (modified,) = og["article:modified_time"]
    assert same_time(published, story.published_at)
    assert same_time(modified, story.updated_at)
    assert og["article:section"] == ["All Israel"]
    assert sorted(og["article:tag"]) == ["Energy", "Water"]
    assert og["article:author"] == [
        f"{BASE}/author/all-israel-news-staff/",
        f"{BASE}/author/dana-levi/",
    ]

    meta = {
        m.get("name"): m.get("content")
        for m in lxml_html.fromstring(data["html"]).xpath('//head/meta[starts-with(@name, "tw")]')
    }
    assert meta == {
        "twitter:card": "summary_large_image",
        "twitter:title": story.headline,
        "twitter:description": story.description,
        "twitter:image": og["og:image"][0],
        "twitter:image:alt": "Pipes at the plant",
    }


def test_home_has_organization_and_website_with_search(client, story):
    data = extract(client, "/")
    organization = of_type(data, "Organization")
    assert organization["name"] == settings.SITE_NAME
    assert organization["url"] == f"{BASE}/"
    assert resolves(client, organization["logo"]["url"])
    assert (organization["logo"]["width"], organization["logo"]["height"]) == (600, 60)

    website = of_type(data, "WebSite")
    assert website["url"] == f"{BASE}/"
    assert website["name"] == settings.SITE_NAME
    assert website["publisher"] == {"@id": organization["@id"]}
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["query-input"] == "required name=search_term_string"
    template = action["target"]["urlTemplate"]
    assert template == f"{BASE}/search/?q={{search_term_string}}"
    # The template, filled in, is a working search that finds the story.
    url = template.replace("{search_term_string}", "desalination")
    response = client.get(url.removeprefix(BASE))
    assert response.status_code == 200
    assert story.headline in response.text

    og = opengraph(data)
    assert og["og:type"] == ["website"]
    assert og["og:url"] == [f"{BASE}/"]


def test_json_ld_cannot_break_out_of_its_script(client):
    section = make_section(name="</script><b>")
    story = make_article(headline="</script><script>alert(1)</script>", section=section)
    data = extract(client, story.get_absolute_url())
    assert of_type(data, "NewsArticle")["headline"] == story.headline
    trail = of_type(data, "BreadcrumbList")["itemListElement"]
    assert [i["name"] for i in trail[1:]] == ["</script><b>", story.headline]
    assert "<script>alert" not in data["html"]
