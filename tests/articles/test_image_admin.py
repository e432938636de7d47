"""The image library in the admin: upload checks with their reasons, the focal point, where
each picture is used, and a change list whose queries do not grow with its rows."""

import html
import io
import re
import struct
import zlib

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image as PILImage

from articles.models import Article, Image, LiveUpdate
from tests.factories import (
    jpeg_bytes,
    make_article,
    make_author,
    make_image,
    make_section,
    make_user,
)
from tests.helpers import CHROMIUM, media_files, require_tool

pytestmark = pytest.mark.django_db

ADD = "/admin/articles/image/add/"
CHANGELIST = "/admin/articles/image/"


def change_url(obj) -> str:
    return reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` but whose pixel data is a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 10))
        + chunk(b"IEND", b"")
    )


def bmp_bytes() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 0, 0)).save(buffer, "BMP")
    return buffer.getvalue()


def change_form_data(image: Image, **changes) -> dict:
    data = {
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "focal_x": "" if image.focal_x is None else image.focal_x,
        "focal_y": "" if image.focal_y is None else image.focal_y,
    }
    return {**data, **changes}


def errors_in(response) -> dict:
    return response.context["adminform"].form.errors if response.context else {}


# --- uploads: refused with the reason, nothing stored ----------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        pytest.param(
            "bomb.png",
            png_header(100_000, 100_000),
            "too large to decode safely (the limit is 40,000,000 pixels)",
            id="decompression-bomb",
        ),
        pytest.param(
            "huge.png",
            png_header(9_000, 9_000),
            "The image is 9000x9000 pixels, more than the limit of 40,000,000 pixels.",
            id="over-the-pixel-limit",
        ),
        pytest.param(
            "holiday.jpg",
            b"Dear editor,\nthis is a letter, not a photo.\n",
            "The file is not an image (JPEG, PNG, WebP or GIF).",
            id="text-renamed-jpg",
        ),
        pytest.param(
            "scan.png",
            bmp_bytes(),
            "Unsupported image format BMP: use JPEG, PNG, WebP or GIF.",
            id="other-format",
        ),
    ],
)
def test_add_form_refuses_a_bad_upload_with_the_reason(admin_client, name, data, reason):
    response = admin_client.post(ADD, {"file": SimpleUploadedFile(name, data), "alt_text": "x"})

    assert response.status_code == 200
    assert any(reason in message for message in errors_in(response)["file"])
    assert reason in html.unescape(response.content.decode())
    assert not Image.objects.exists()
    assert media_files() == set()


def test_add_form_refuses_a_huge_file_before_reading_it_as_a_picture(admin_client):
    # A real upload over the real limit (20 MB by default): streamed to a temporary file by
    # Django, refused on its size alone.
    size = settings.IMAGE_MAX_BYTES + 1
    data = jpeg_bytes(64, 64)
    data += b"\x00" * (size - len(data))
    upload = SimpleUploadedFile("camera-raw.jpg", data, "image/jpeg")

    response = admin_client.post(ADD, {"file": upload, "alt_text": "x"})

    assert response.status_code == 200
    assert errors_in(response)["file"] == [
        f"The image file is too large ({size:,} bytes; the limit is 20 MB)."
    ]
    assert not Image.objects.exists()
    assert media_files() == set()


def test_add_form_judges_the_picture_by_its_content_not_its_name(admin_client):
    buffer = io.BytesIO()
    PILImage.new("RGB", (300, 200), (0, 120, 0)).save(buffer, "PNG")
    upload = SimpleUploadedFile("scan-from-the-archive.tiff", buffer.getvalue())

    response = admin_client.post(ADD, {"file": upload, "alt_text": "A field"})

    assert response.status_code == 302, errors_in(response)
    image = Image.objects.get()
    assert image.file.name.endswith(".png")
    assert (image.width, image.height) == (300, 200)
    # Made by the task: 300 px wide, so 120, 240 and its own width.
    assert sorted(image.renditions["webp"], key=int) == ["120", "240", "300"]


def test_add_form_file_picker_offers_the_accepted_types(admin_client):
    html = admin_client.get(ADD).content.decode()
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html
    assert 'name="focal_x"' in html  # the focal point can be typed before there is a preview
    assert "data-focal-point" not in html


# --- the focal point ----------------------------------------------------------------------------


def test_change_form_shows_the_picture_to_click_and_loads_the_script(admin_client):
    image = make_image()
    html = admin_client.get(change_url(image)).content.decode()

    picker = re.search(r"<div class=\"focal-point\"[^>]*>.*?</div>", html, re.S).group(0)
    assert 'data-focal-x="id_focal_x"' in picker
    assert 'data-focal-y="id_focal_y"' in picker
    assert f'src="{image.fallback_url}"' in picker
    assert "/static/js/focal-point.js" in html
    # Without the script, the two number fields do the job.
    assert re.search(r'<input type="number" name="focal_x"[^>]*max="100"', html)
    assert re.search(r'<input type="number" name="focal_y"[^>]*min="0"', html)


def test_focal_point_is_stored_from_the_change_form_and_crops_the_card(admin_client, client):
    image = make_image()
    renditions = image.renditions
    make_article(lead_image=image, featured=True)

    response = admin_client.post(change_url(image), change_form_data(image, focal_x=30, focal_y=70))

    assert response.status_code == 302, errors_in(response)
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (30, 70)
    # No new file: the resized copies stay; only the ratio crops are cut again.
    assert {k: v for k, v in image.renditions.items() if k != "crops"} == {
        k: v for k, v in renditions.items() if k != "crops"
    }
    assert all("-f30x70-" in name for name in image.renditions["crops"].values())
    home = client.get("/").content.decode()
    assert 'class="focal-x-30 focal-y-70"' in home

    response = admin_client.post(change_url(image), change_form_data(image, focal_x="", focal_y=""))
    assert response.status_code == 302, errors_in(response)
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (None, None)
    assert "focal-x-" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"focal_x": 30, "focal_y": ""}, "focal_y", "Give both focal point coordinates"),
        ({"focal_x": "", "focal_y": 5}, "focal_x", "Give both focal point coordinates"),
        ({"focal_x": 101, "focal_y": 50}, "focal_x", "less than or equal to 100"),
        ({"focal_x": 50, "focal_y": -1}, "focal_y", "greater than or equal to 0"),
    ],
)
def test_focal_point_must_be_whole_and_in_the_picture(admin_client, changes, field, message):
    image = make_image()
    response = admin_client.post(change_url(image), change_form_data(image, **changes))
    assert response.status_code == 200
    assert any(message in text for text in errors_in(response)[field])
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (None, None)


# --- where it is used -----------------------------------------------------------------------------


def where_used(html: str) -> str:
    return re.search(r'<ul class="where-used">.*?</ul>', html, re.S).group(0)


def test_change_page_lists_the_stories_and_authors_using_the_picture(admin_client):
    image = make_image()
    published = make_article(headline="Cranes return to the Hula", lead_image=image)
    draft = make_article(headline="Draft about cranes", lead_image=image, status="draft")
    author = make_author(name="Dana Levi", photo=image)
    make_article(headline="Another picture", lead_image=make_image())
    make_author(name="Someone else", photo=make_image())

    listing = where_used(admin_client.get(change_url(image)).content.decode())

    assert f'<a href="{change_url(published)}">Cranes return to the Hula</a> (published' in listing
    assert f'<a href="{change_url(draft)}">Draft about cranes</a> (draft)' in listing
    assert f'Author photo: <a href="{change_url(author)}">Dana Levi</a>' in listing
    assert "Another picture" not in listing
    assert "Someone else" not in listing


def test_an_unused_picture_says_so(admin_client):
    image = make_image()
    make_article(lead_image=make_image())
    html = admin_client.get(change_url(image)).content.decode()
    assert "Not used by any story or author." in html
    assert 'class="where-used"' not in html


def test_where_used_links_only_what_the_user_may_open(client):
    image = make_image()
    make_article(headline="Cranes return to the Hula", lead_image=image)
    make_author(name="Dana Levi", photo=image)
    librarian = User.objects.create_user("librarian", is_staff=True)
    librarian.user_permissions.set(
        Permission.objects.filter(codename__in=["view_image", "change_image", "view_author"])
    )
    client.force_login(librarian)

    listing = where_used(client.get(change_url(image)).content.decode())

    assert "Story: Cranes return to the Hula (published" in listing  # named, not linked
    assert "/admin/articles/article/" not in listing
    assert "/admin/articles/author/" in listing


def test_a_long_where_used_list_is_cut_and_counted(admin_client, settings):
    from articles.admin.images import ImageAdmin

    image = make_image()
    for _ in range(ImageAdmin.WHERE_USED_LIMIT + 2):
        make_article(lead_image=image)
    listing = where_used(admin_client.get(change_url(image)).content.decode())
    assert listing.count("Story: ") == ImageAdmin.WHERE_USED_LIMIT
    assert "and 2 more stories" in listing


# --- the change list ----------------------------------------------------------------------------


def test_change_list_counts_where_each_picture_is_used(admin_client):
    used_twice = make_image(caption="Twice")
    used_thrice = make_image(caption="Thrice")
    unused = make_image(caption="Never")
    make_article(lead_image=used_twice)
    make_author(photo=used_twice)
    for _ in range(2):
        make_article(lead_image=used_thrice)
    make_author(photo=used_thrice)

    response = admin_client.get(CHANGELIST, {"o": "4"})  # the "Used in" column, ascending

    rows = list(response.context["cl"].result_list)
    assert [(image.caption, image.uses) for image in rows] == [
        ("Never", 0),
        ("Twice", 2),
        ("Thrice", 3),
    ]
    assert unused in rows
    assert re.search(r'<td class="field-used_in">2</td>', response.content.decode())


def test_change_list_queries_do_not_grow_with_the_images(admin_client, django_assert_num_queries):
    section = make_section()

    def add_used_image():
        image = make_image()
        make_article(lead_image=image, section=section)
        make_author(photo=image)

    add_used_image()
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(CHANGELIST).status_code == 200

    for _ in range(9):
        add_used_image()
    with django_assert_num_queries(len(one)):
        response = admin_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 10
    assert all(image.uses == 2 for image in response.context["cl"].result_list)


def test_change_list_thumbnail_uses_a_small_rendition(admin_client):
    image = make_image()
    html = admin_client.get(CHANGELIST).content.decode()
    thumb = re.search(
        r'<td class="field-thumbnail">.*?</td>|<th class="field-thumbnail">.*?</th>', html, re.S
    ).group(0)
    assert f'src="{image.fallback_url}"' in thumb
    assert 'sizes="80px"' in thumb
    assert re.search(r'srcset="[^"]*-480w\.jpg 480w', thumb)
    assert "style=" not in thumb


def test_make_missing_renditions_action(admin_client):
    image = make_image()
    lost = image.renditions["jpg"]["480"]
    image.file.storage.delete(lost)

    response = admin_client.post(
        CHANGELIST,
        {"action": "make_missing_renditions", "_selected_action": [str(image.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Renditions queued for 1 image(s)." in response.content.decode()
    assert image.file.storage.exists(lost)


# --- the click, in a browser ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clicking_the_picture_sets_the_focal_point(page, live_server):
    require_tool(CHROMIUM, "apt-get install chromium")
    User.objects.create_superuser("editor", password="a-long-test-password")
    image = make_image(width=800, height=500)

    page.goto(f"{live_server.url}/admin/login/?next={change_url(image)}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    picture = page.locator("[data-focal-point] img")
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.8})

    assert abs(int(page.input_value("#id_focal_x")) - 25) <= 1
    assert abs(int(page.input_value("#id_focal_y")) - 80) <= 1
    marker = page.locator(".focal-point__marker")
    assert marker.is_visible()

    page.fill("#id_focal_x", "60")
    assert marker.evaluate("m => m.style.left") == "60%"

    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/articles/image/$"))
    image.refresh_from_db()
    assert image.focal_x == 60
    assert abs(image.focal_y - 80) <= 1
    assert Article.objects.count() == 0


# --- the story form's picker and uploads in place ------------------------------------------------


def test_the_picker_shows_the_newest_first_searches_and_pages(admin_client):
    from articles.admin.images import PICKER_PAGE_SIZE

    pictures = [make_image(caption=f"Harbour {n}") for n in range(PICKER_PAGE_SIZE + 2)]
    make_image(caption="Cranes over the lake", alt_text="")
    url = reverse("admin:articles_image_picker")

    first = admin_client.get(url).content.decode()
    ids = re.findall(r'data-image-id="(\d+)"', first)
    assert len(ids) == PICKER_PAGE_SIZE
    assert "Cranes over the lake (no alt text)" in first  # the newest, with its gap named
    assert 'data-picker-page="2"' in first
    second = re.findall(r'data-image-id="(\d+)"', admin_client.get(url, {"page": 2}).text)
    assert second == [str(p.pk) for p in reversed(pictures[:3])]  # 27 pictures, 24 a page
    found = admin_client.get(url, {"q": "cranes lake"}).text
    assert re.findall(r'data-image-id="(\d+)"', found) == [str(Image.objects.latest("pk").pk)]
    assert "No picture matches “zebra”." in admin_client.get(url, {"q": "zebra"}).text


def test_the_pickers_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    url = reverse("admin:articles_image_picker")
    make_image()
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(30):
        make_image()
    with django_assert_max_num_queries(len(few)):
        admin_client.get(url)


def test_an_upload_in_place_is_stored_and_described(admin_client):
    upload = SimpleUploadedFile("rain.jpg", jpeg_bytes(1200, 800), "image/jpeg")

    response = admin_client.post(
        reverse("admin:articles_image_upload"), {"file": upload, "credit": "Photo: Tests"}
    )

    assert response.status_code == 201
    answer = response.json()
    image = Image.objects.get(pk=answer["id"])
    assert (image.width, image.credit, answer["credit"]) == (1200, "Photo: Tests", "Photo: Tests")
    assert image.fallback_url in answer["thumb"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.jpg", b"not a picture at all", "notes.jpg: The file is not an image"),
        ("empty.jpg", b"", "empty.jpg: The submitted file is empty."),
    ],
)
def test_a_bad_upload_in_place_is_refused_with_its_reason(admin_client, name, data, message):
    upload = SimpleUploadedFile(name, data, "image/jpeg")
    response = admin_client.post(reverse("admin:articles_image_upload"), {"file": upload})
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert not Image.objects.exists()


def test_an_upload_needs_a_file_and_the_permission(client):
    url = reverse("admin:articles_image_upload")
    editor = make_user("Editors")
    client.force_login(editor)
    assert client.post(url, {}).json() == {"error": "No file arrived: choose or drop a picture."}
    clerk = make_user(None, is_staff=True)
    client.force_login(clerk)
    assert client.post(url, {}).status_code == 403


# --- who may change a picture readers see; a replaced file is a new version ---------------


def jpeg_upload(name="replacement.jpg", color=(10, 200, 30)):
    return SimpleUploadedFile(name, jpeg_bytes(900, 600, color=color), "image/jpeg")


@pytest.mark.parametrize("status", ["published", "scheduled"])
def test_a_writer_may_not_change_a_picture_on_a_published_story(client, status):
    import datetime as dt

    from django.utils import timezone

    image = make_image(caption="Cranes over the Hula")
    when = timezone.now() + dt.timedelta(days=1) if status == "scheduled" else None
    story = make_article(
        headline="Cranes return", lead_image=image, **({"published_at": when} if when else {})
    )
    client.force_login(make_user("Writers"))

    page = client.get(change_url(image))
    assert page.status_code == 200  # may still look
    text = html.unescape(page.content.decode())
    assert f"This picture is on a published story (“{story.headline}”), so only an editor" in text
    assert 'name="caption"' not in text  # read-only: no field to type in

    response = client.post(
        change_url(image), change_form_data(image, caption="Changed", file=jpeg_upload())
    )
    assert response.status_code == 403
    image.refresh_from_db()
    assert image.caption == "Cranes over the Hula"


def show_as(image: Image, use: str, status=Article.Status.PUBLISHED) -> Article:
    """A story (published unless ``status`` says otherwise) that shows ``image``: in a live
    update, or as the photo of an author in its byline."""
    if use == "live update":
        story = make_article(headline="Storm live", live=True, status=status)
        LiveUpdate.objects.create(article=story, text="<p>Waves.</p>", image=image)
    else:
        story = make_article(
            headline="Storm desk", authors=[make_author(photo=image)], status=status
        )
    return story


@pytest.mark.parametrize("use", ["live update", "author photo"])
def test_a_picture_a_published_story_shows_elsewhere_is_locked_for_writers_too(client, use):
    image = make_image(caption="Waves at Jaffa")
    story = show_as(image, use)
    client.force_login(make_user("Writers"))

    text = html.unescape(client.get(change_url(image)).content.decode())
    assert f"This picture is on a published story (“{story.headline}”)" in text
    assert 'name="caption"' not in text
    response = client.post(
        change_url(image), change_form_data(image, caption="Changed", file=jpeg_upload())
    )
    assert response.status_code == 403
    image.refresh_from_db()
    assert image.caption == "Waves at Jaffa"

    # An editor may; and on a story nobody reads yet, so may a writer.
    client.force_login(make_user("Editors"))
    response = client.post(change_url(image), change_form_data(image, caption="Editor's"))
    assert response.status_code == 302, errors_in(response)
    draft_image = make_image(caption="Draft")
    show_as(draft_image, use, status=Article.Status.DRAFT)
    client.force_login(make_user("Writers"))
    response = client.post(change_url(draft_image), change_form_data(draft_image, caption="New"))
    assert response.status_code == 302, errors_in(response)


def test_a_writer_may_change_a_picture_no_published_story_uses(client):
    image = make_image(caption="Old")
    make_article(lead_image=image, status=Article.Status.DRAFT)
    client.force_login(make_user("Writers"))

    response = client.post(change_url(image), change_form_data(image, caption="New"))

    assert response.status_code == 302, errors_in(response)
    image.refresh_from_db()
    assert image.caption == "New"


def test_a_writer_editing_an_own_draft_may_not_change_a_shared_published_picture(client):
    from django.core.exceptions import PermissionDenied

    from articles.admin import images as image_admin

    image = make_image(caption="Shared")
    make_article(headline="Live story", lead_image=image)
    writer = make_user("Writers")
    with pytest.raises(PermissionDenied, match="only an editor can change it"):
        image_admin.update_details(image, alt_text="x", caption="y", credit="z", by=writer)
    image.refresh_from_db()
    assert image.caption == "Shared"


def test_an_editor_replaces_the_file_as_a_new_version_recorded_in_the_history(client):
    from django.contrib.admin.models import LogEntry

    image = make_image(caption="Lead")
    make_article(lead_image=image)
    old_name, old_renditions = image.file.name, image.renditions
    assert old_renditions, "the task made renditions of the first file"
    client.force_login(make_user("Editors"))

    response = client.post(change_url(image), change_form_data(image, file=jpeg_upload()))

    assert response.status_code == 302, errors_in(response)
    image.refresh_from_db()
    assert image.file.name != old_name
    assert image.file.storage.exists(old_name), "the old file stays for pages already out"
    old_copies = {n for copies in old_renditions.values() for n in copies.values()}
    new_copies = {n for copies in image.renditions.values() for n in copies.values()}
    assert new_copies
    assert not new_copies & old_copies, "the new file has its own renditions"
    assert (image.width, image.height) == (900, 600)
    entry = LogEntry.objects.filter(object_id=str(image.pk)).latest("action_time")
    message = entry.get_change_message()
    assert f"was {old_name}" in message, message
    assert "new upload replacement.jpg" in message, message
    history = client.get(change_url(image).replace("/change/", "/history/")).content.decode()
    assert html.escape(f"was {old_name}") in history


def test_originals_are_stored_under_names_nobody_can_guess(admin_client, client):
    admin_client.post(
        ADD,
        {"file": jpeg_upload("holiday-photo.jpg"), "alt_text": "a", "caption": "", "credit": ""},
    )
    first = Image.objects.get()
    second = make_image()
    folder, name = first.file.name.rsplit("/", 1)
    assert re.fullmatch(r"images/\d{4}/\d{2}", folder), folder
    random_part, stem = name.split("-", 1)[0], name.split("-", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}", random_part), name  # 128 random bits
    assert stem == "holiday-photo.jpg"
    assert second.file.name.rsplit("/", 1)[1].split("-", 1)[0] != random_part
    # The name the uploader chose, in the folder of the month, is not where the file is.
    assert client.get(f"/media/{folder}/holiday-photo.jpg").status_code == 404
    assert client.get(first.file.url).status_code == 200  # the stored name works
