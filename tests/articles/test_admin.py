"""The editors' admin, driven through its own forms with Django's test client."""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, Image, Section, Tag
from tests.factories import (
    jpeg_bytes,
    make_article,
    make_author,
    make_image,
    make_section,
    make_tag,
)

pytestmark = pytest.mark.django_db

ADD_ARTICLE = "/admin/articles/article/add/"


def change_url(obj) -> str:
    return reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the form with the given id."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._add(attrs["name"], attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs["name"]
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            value = self.data[self._textarea][-1]
            # A browser drops the newline that starts a textarea's content (Django writes one).
            self.data[self._textarea][-1] = value + (data.removeprefix("\n") if not value else data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """The submission of a rendered form as it stands (the empty inline template left out)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.data, f"no form #{form_id} in the page"
    return {name: values for name, values in reader.data.items() if "__prefix__" not in name}


def local_split(moment: dt.datetime) -> tuple[str, str]:
    """A datetime as the admin's split date and time inputs take it (en-gb, local time)."""
    local = timezone.localtime(moment)
    return local.strftime("%d/%m/%Y"), local.strftime("%H:%M:%S")


def article_post(*, authors=(), tags=(), **fields) -> dict:
    """A complete add-form submission: every field, the byline inline and its management form."""
    data = {
        "headline": "",
        "slug": "",
        "dek": "",
        "section": "",
        "lead_image": "",
        "body": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "updated_at_0": "",
        "updated_at_1": "",
        "tags": [str(tag.pk) for tag in tags],
        "description": "",
        "bylines-TOTAL_FORMS": str(len(authors)),
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "1000",
        "owner": "",
    }
    for index, author in enumerate(authors):
        data[f"bylines-{index}-id"] = ""
        data[f"bylines-{index}-article"] = ""
        data[f"bylines-{index}-author"] = str(author.pk)
        data[f"bylines-{index}-position"] = str(index)
    data.update(fields)
    return data


def errors_in(response) -> str:
    """The form errors of a re-rendered admin page, for assertion messages."""
    if response.context is None or "adminform" not in response.context:
        return f"status {response.status_code}"
    form = response.context["adminform"].form
    inlines = [
        inline.formset.errors for inline in response.context.get("inline_admin_formsets", [])
    ]
    return f"{form.errors!r} {inlines!r}"


# Sections, authors, tags and images through their add forms


def test_add_section(admin_client):
    response = admin_client.post(
        "/admin/articles/section/add/",
        {"name": "Middle East", "slug": "middle-east", "description": "The region.", "order": "3"},
    )

    assert response.status_code == 302, errors_in(response)
    section = Section.objects.get()
    assert (section.name, section.slug, section.description, section.order) == (
        "Middle East",
        "middle-east",
        "The region.",
        3,
    )


@pytest.mark.parametrize("kind", [Author.Kind.PERSON, Author.Kind.ORGANISATION])
def test_add_author_of_each_kind(admin_client, kind):
    photo = make_image()
    response = admin_client.post(
        "/admin/articles/author/add/",
        {
            "name": "Dana Levi",
            "slug": "dana-levi",
            "kind": kind,
            "bio": "Dana covers science.",
            "photo": str(photo.pk),
        },
    )

    assert response.status_code == 302, errors_in(response)
    author = Author.objects.get()
    assert (author.name, author.slug, author.kind, author.photo) == (
        "Dana Levi",
        "dana-levi",
        kind,
        photo,
    )


def test_add_tag(admin_client):
    response = admin_client.post("/admin/articles/tag/add/", {"name": "Water", "slug": "water"})

    assert response.status_code == 302, errors_in(response)
    assert list(Tag.objects.values_list("name", "slug")) == [("Water", "water")]


def test_add_image_stores_size_and_makes_renditions(admin_client):
    upload = SimpleUploadedFile("Harbour At Dawn.JPG", jpeg_bytes(1000, 600), "image/jpeg")

    response = admin_client.post(
        "/admin/articles/image/add/",
        {
            "file": upload,
            "alt_text": "Boats in the harbour",
            "caption": "Jaffa harbour at dawn",
            "credit": "Photo: Tests",
        },
    )

    assert response.status_code == 302, errors_in(response)
    image = Image.objects.get()
    assert (image.width, image.height) == (1000, 600)
    assert image.caption == "Jaffa harbour at dawn"
    assert image.file.name.endswith(".jpg")
    assert len(image.source_sha256) == 64
    # The configured widths below 1000, and the image's own width; WebP and JPEG of each.
    widths = {fmt: copies for fmt, copies in image.renditions.items() if fmt != "crops"}
    assert sorted(image.renditions["crops"]) == ["16x9", "1x1", "4x3"]
    assert {fmt: sorted(copies, key=int) for fmt, copies in widths.items()} == {
        "webp": ["120", "240", "480", "800", "1000"],
        "jpg": ["120", "240", "480", "800", "1000"],
    }
    for copies in image.renditions.values():
        for name in copies.values():
            assert default_storage.exists(name), name
    # The stored row agrees with the instance (renditions are written by a separate update).
    assert Image.objects.get().renditions == image.renditions


def test_add_image_refuses_a_file_that_is_not_an_image(admin_client):
    upload = SimpleUploadedFile("notes.jpg", b"not a picture at all", "image/jpeg")

    response = admin_client.post("/admin/articles/image/add/", {"file": upload, "alt_text": "x"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["file"]
    assert not Image.objects.exists()


# Articles: the whole add form, then an edit back to draft


@pytest.fixture
def parts():
    """What an article links to, created the way the other tests create them."""
    reporter = make_author(name="Dana Levi", slug="dana-levi")
    staff = make_author(name="All Israel News Staff", slug="staff", kind=Author.Kind.ORGANISATION)
    return {
        "section": make_section(name="Science", slug="science"),
        # The staff byline was created second but leads the byline: order is the position.
        "authors": [staff, reporter],
        "tags": [make_tag(name="Water", slug="water"), make_tag(name="Energy", slug="energy")],
        "image": make_image(caption="Pipes at the desalination plant"),
    }


def test_create_published_article_then_unpublish_it(admin_client, client, parts):
    published_at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    date, time = local_split(published_at)

    response = admin_client.post(
        ADD_ARTICLE,
        article_post(
            headline="Desalination plant doubles its output",
            slug="desalination-plant-doubles",
            dek="The expansion supplies a fifth of the country's water.",
            section=str(parts["section"].pk),
            lead_image=str(parts["image"].pk),
            body="<p>The plant opened a second hall on Monday.</p>",
            status="published",
            published_at_0=date,
            published_at_1=time,
            authors=parts["authors"],
            tags=parts["tags"],
        ),
    )

    assert response.status_code == 302, errors_in(response)
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == published_at
    assert article.section == parts["section"]
    assert article.lead_image == parts["image"]
    assert article.byline == parts["authors"]
    assert set(article.tags.all()) == set(parts["tags"])

    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Desalination plant doubles its output" in html
    byline = re.search(r'<span class="byline__authors">(.*?)</span>', html, re.S)
    assert byline, "no byline on the page"
    assert re.findall(r'rel="author"[^>]*>([^<]+)</a>', byline.group(1)) == [
        "All Israel News Staff",
        "Dana Levi",
    ]
    assert 'rel="tag">Water</a>' in html
    assert 'rel="tag">Energy</a>' in html

    # Back to draft through the change form: submit what it shows, with the status changed.
    change = admin_client.get(change_url(article))
    assert change.status_code == 200
    data = form_data(change.content.decode(), "article_form")
    assert data["bylines-INITIAL_FORMS"] == ["2"]
    data["status"] = ["draft"]

    response = admin_client.post(change_url(article), data)

    assert response.status_code == 302, errors_in(response)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    # Nothing else moved: the round trip through the form kept the rest.
    assert article.published_at == published_at
    assert article.byline == parts["authors"]
    assert set(article.tags.all()) == set(parts["tags"])
    assert client.get(article.get_absolute_url()).status_code == 404


def test_byline_order_follows_position_not_form_order(admin_client, parts):
    first, second = parts["authors"]
    data = article_post(headline="Order test", slug="order-test", authors=[first, second])
    data["bylines-0-position"], data["bylines-1-position"] = "2", "1"

    response = admin_client.post(ADD_ARTICLE, data)

    assert response.status_code == 302, errors_in(response)
    assert Article.objects.get().byline == [second, first]


def test_same_author_twice_in_byline_is_refused(admin_client, parts):
    author = parts["authors"][0]

    response = admin_client.post(
        ADD_ARTICLE, article_post(headline="Twice", slug="twice", authors=[author, author])
    )

    assert response.status_code == 200
    assert "Please correct the duplicate data for author" in response.content.decode()
    assert not Article.objects.exists()
    assert not ArticleAuthor.objects.exists()


def test_body_is_sanitised_whatever_is_posted(admin_client):
    body = (
        '<p onclick="alert(\'click\')" style="color:red">Opening paragraph.</p>'
        "<script>alert('script')</script>"
        "<h2>What changes</h2>"
        "<blockquote><p>We planned this for ten years.</p></blockquote>"
        "<p><a href=\"javascript:alert('link')\">bad link</a> and "
        '<a href="https://example.org/report">the report</a></p>'
        '<iframe src="https://evil.example/"></iframe>'
        "<ul><li>More water</li></ul>"
    )

    response = admin_client.post(
        ADD_ARTICLE, article_post(headline="Sanitised", slug="sanitised", body=body)
    )

    assert response.status_code == 302, errors_in(response)
    stored = Article.objects.get().body
    for gone in ("<script", "alert(", "onclick", "style=", "javascript:", "<iframe", "evil"):
        assert gone not in stored, f"{gone!r} survived in {stored!r}"
    for kept in (
        "<p>Opening paragraph.</p>",
        "<h2>What changes</h2>",
        "<blockquote><p>We planned this for ten years.</p></blockquote>",
        '<a href="https://example.org/report" rel="noopener noreferrer">the report</a>',
        "<ul><li>More water</li></ul>",
    ):
        assert kept in stored, f"{kept!r} missing from {stored!r}"
    assert "bad link" in stored  # the text of the refused link stays, without its href


def test_body_is_sanitised_on_edit_too(admin_client):
    article = make_article(headline="Edited", slug="edited", status=Article.Status.DRAFT)
    data = form_data(admin_client.get(change_url(article)).content.decode(), "article_form")
    data["body"] = ['<p>Fine</p><script>alert("x")</script><img src=x onerror="alert(1)">']

    response = admin_client.post(change_url(article), data)

    assert response.status_code == 302, errors_in(response)
    article.refresh_from_db()
    assert article.body == "<p>Fine</p>"


def test_publishing_with_the_time_left_empty_publishes_now(admin_client, parts):
    before = timezone.now()
    response = admin_client.post(
        ADD_ARTICLE,
        article_post(
            headline="No time",
            slug="no-time",
            status="published",
            authors=parts["authors"],
            tags=parts["tags"],
        ),
    )

    assert response.status_code == 302, errors_in(response)
    story = Article.objects.get()
    assert story.status == Article.Status.PUBLISHED
    assert before <= story.published_at <= timezone.now()


def test_publishing_an_existing_draft_with_the_time_left_empty_publishes_now(admin_client):
    article = make_article(headline="Draft", slug="draft", status=Article.Status.DRAFT)
    data = form_data(admin_client.get(change_url(article)).content.decode(), "article_form")
    data["status"] = ["published"]

    response = admin_client.post(change_url(article), data)

    assert response.status_code == 302, errors_in(response)
    article.refresh_from_db()
    assert article.is_public


# Slug


def test_add_form_prepopulates_slug_from_headline(admin_client):
    response = admin_client.get(ADD_ARTICLE)

    assert response.status_code == 200
    match = re.search(r'data-prepopulated-fields="([^"]*)"', response.content.decode())
    assert match, "the add form has no prepopulated-fields config"
    config = json.loads(match.group(1).replace("&quot;", '"'))
    slug = [entry for entry in config if entry["name"] == "slug"]
    assert slug, config
    assert slug[0]["dependency_list"] == ["headline"]
    assert slug[0]["dependency_ids"] == ["#id_headline"]
    assert slug[0]["maxLength"] == 200


def test_blank_slug_is_derived_from_headline(admin_client):
    response = admin_client.post(
        ADD_ARTICLE, article_post(headline="Crane count breaks a record!", slug="")
    )

    assert response.status_code == 302, errors_in(response)
    assert Article.objects.get().slug == "crane-count-breaks-a-record"


def test_blank_slug_does_not_take_another_storys_slug(admin_client):
    make_article(headline="Heatwave", slug="heatwave")

    response = admin_client.post(ADD_ARTICLE, article_post(headline="Heatwave", slug=""))

    assert response.status_code == 302, errors_in(response)
    assert Article.objects.order_by("pk").last().slug == "heatwave-2"


def test_a_slug_already_taken_is_refused(admin_client):
    make_article(headline="Heatwave", slug="heatwave")

    response = admin_client.post(ADD_ARTICLE, article_post(headline="Other", slug="heatwave"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"]
    assert Article.objects.count() == 1


# Autocomplete


def autocomplete(admin_client, model_name: str, field_name: str, term: str) -> list[str]:
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [result["text"] for result in response.json()["results"]]


def test_autocomplete_tags(admin_client):
    water = make_tag(name="Water", slug="water")
    make_tag(name="Energy", slug="energy")

    assert autocomplete(admin_client, "article", "tags", "wat") == [water.name]


def test_autocomplete_lead_image_by_caption(admin_client):
    make_image(caption="Cranes over the Hula valley", alt_text="Birds")
    make_image(caption="Tel Aviv skyline", alt_text="Towers")

    assert autocomplete(admin_client, "article", "lead_image", "hula") == [
        "Cranes over the Hula valley"
    ]


def test_autocomplete_byline_author(admin_client):
    make_author(name="Dana Levi", slug="dana-levi")
    make_author(name="Yossi Cohen", slug="yossi-cohen")

    assert autocomplete(admin_client, "articleauthor", "author", "dana") == ["Dana Levi"]


def test_autocomplete_section(admin_client):
    make_section(name="Science", slug="science")
    make_section(name="Politics", slug="politics")

    assert autocomplete(admin_client, "article", "section", "sci") == ["Science"]


def test_autocomplete_refuses_anonymous_users(client):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": "w"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Changelists


def rows(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_article_changelist_search_and_filters(admin_client):
    science = make_section(name="Science", slug="science")
    water = make_tag(name="Water", slug="water")
    plant = make_article(headline="Desalination plant opens", section=science, tags=[water])
    draft = make_article(headline="Marathon route", status=Article.Status.DRAFT)
    url = "/admin/articles/article/"

    assert set(rows(admin_client.get(url))) == {plant, draft}
    assert rows(admin_client.get(url, {"q": "desalination"})) == [plant]
    assert rows(admin_client.get(url, {"status__exact": "draft"})) == [draft]
    assert rows(admin_client.get(url, {"section__id__exact": science.pk})) == [plant]
    assert rows(admin_client.get(url, {"tags__id__exact": water.pk})) == [plant]
    assert rows(admin_client.get(url, {"featured__exact": "1"})) == []
    when = timezone.localtime(plant.published_at)
    by_date = {"published_at__year": when.year, "published_at__month": when.month}
    assert rows(admin_client.get(url, by_date)) == [plant]


def test_image_changelist_search_and_date(admin_client):
    hula = make_image(caption="Cranes over the Hula valley")
    skyline = make_image(caption="Tel Aviv skyline", credit="Photo: Agency")
    url = "/admin/articles/image/"

    response = admin_client.get(url)
    assert set(rows(response)) == {hula, skyline}
    assert hula.fallback_url in response.content.decode()  # the thumbnail column
    assert rows(admin_client.get(url, {"q": "hula"})) == [hula]
    assert rows(admin_client.get(url, {"q": "agency"})) == [skyline]
    year = timezone.localtime(hula.created_at).year
    assert set(rows(admin_client.get(url, {"created_at__year": year}))) == {hula, skyline}


def test_author_changelist_search_and_kind_filter(admin_client):
    person = make_author(name="Dana Levi", slug="dana-levi", bio="Covers science.")
    desk = make_author(name="News Desk", slug="desk", kind=Author.Kind.ORGANISATION)
    url = "/admin/articles/author/"

    assert set(rows(admin_client.get(url))) == {person, desk}
    assert rows(admin_client.get(url, {"q": "science"})) == [person]
    assert rows(admin_client.get(url, {"kind__exact": "organisation"})) == [desk]
    assert rows(admin_client.get(url, {"kind__exact": "person"})) == [person]


def test_section_changelist_search(admin_client):
    science = make_section(name="Science", slug="science")
    make_section(name="Politics", slug="politics")
    url = "/admin/articles/section/"

    assert len(rows(admin_client.get(url))) == 2
    assert rows(admin_client.get(url, {"q": "sci"})) == [science]


def test_section_changelist_edits_order_in_place(admin_client):
    science = make_section(name="Science", slug="science", order=5)
    response = admin_client.post(
        "/admin/articles/section/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(science.pk),
            "form-0-order": "1",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    science.refresh_from_db()
    assert science.order == 1


def test_tag_changelist_search(admin_client):
    water = make_tag(name="Water", slug="water")
    make_tag(name="Energy", slug="energy")
    url = "/admin/articles/tag/"

    assert len(rows(admin_client.get(url))) == 2
    assert rows(admin_client.get(url, {"q": "wat"})) == [water]


def test_change_page_links_to_the_story_on_the_site(admin_client):
    article = make_article(headline="On the site", slug="on-the-site")
    content_type = ContentType.objects.get_for_model(Article)
    shortcut = f"/admin/r/{content_type.pk}/{article.pk}/"

    response = admin_client.get(change_url(article))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<a href="{re.escape(shortcut)}"[^>]*>View on site</a>', html), html
    assert admin_client.get(shortcut)["Location"].endswith(article.get_absolute_url())


# Access


def test_anonymous_user_is_sent_to_the_admin_login(client):
    response = client.get("/admin/articles/article/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/articles/article/"


def test_non_staff_user_is_sent_to_the_admin_login(client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="a-long-passphrase")
    client.force_login(reader)

    for url in ("/admin/", ADD_ARTICLE):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/?next="), url

    response = client.post(ADD_ARTICLE, article_post(headline="Sneaky", slug="sneaky"))
    assert response.status_code == 302
    assert not Article.objects.exists()
