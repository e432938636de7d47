"""Renditions: made once per picture by a background task enqueued with the upload, named
after the picture so media can be cached for good, and never needed for a page to work.

Locally and in tests the immediate backend runs the task as it is enqueued; in production the
database queue stores it in the upload's own transaction (so a rolled-back upload takes its
task with it) and `db_worker` runs it: the tests marked ``database_queue`` show that path.
"""

import datetime as dt
import logging
import os
import re
from pathlib import Path
from typing import ClassVar

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import images, importer
from articles.models import Article, Image
from articles.tasks import make_renditions
from tests.factories import jpeg_bytes, make_article, make_image
from tests.helpers import media_files

IMMUTABLE = "public, max-age=31536000, immutable"


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture
def enqueued():
    """The ids of the images ``make_renditions`` was enqueued for, in order."""
    ids: list[int] = []

    def record(sender, task_result, **kwargs):
        if task_result.task.func is make_renditions.func:
            ids.append(*task_result.args)

    task_enqueued.connect(record)
    yield ids
    task_enqueued.disconnect(record)


@pytest.fixture
def small_widths(settings):
    settings.IMAGE_RENDITION_WIDTHS = (100, 200, 400)


def rendition_names(image: Image) -> set[str]:
    return {name for copies in image.renditions.values() for name in copies.values()}


def upload(width=500, height=250, color=(30, 90, 160), name="photo.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(width, height, color=color), "image/jpeg")


def make_story(image: Image, **fields) -> Article:
    return make_article(
        lead_image=image,
        published_at=timezone.now() - dt.timedelta(hours=1),
        **fields,
    )


def lead_img_tag(html: str) -> str:
    figure = re.search(r'<figure class="story__figure">.*?</figure>', html, re.S).group(0)
    return re.search(r"<img [^>]*>", figure).group(0)


def card_img_tag(html: str) -> str:
    card = re.search(r'<article class="card[^"]*">.*?</article>', html, re.S).group(0)
    return re.search(r"<img [^>]*>", card).group(0)


# --- the task: what it makes and how the files are named -----------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("small_widths")
def test_task_makes_webp_and_jpeg_named_after_the_stored_picture(enqueued):
    image = Image(file=upload(500, 250), alt_text="Harbour")
    image.save()

    assert enqueued == [image.pk]
    digest = images.rendition_digest(Path(image.file.path).read_bytes())
    assert re.fullmatch(r"[0-9a-f]{8}", digest)
    expected = {
        ext: {str(w): f"renditions/{image.pk}/{digest}-{w}w.{ext}" for w in (100, 200, 400)}
        for ext in ("webp", "jpg")
    }
    expected["crops"] = {
        key: f"renditions/{image.pk}/{digest}-f50x50-{key}.jpg" for key in ("16x9", "4x3", "1x1")
    }
    assert image.renditions == expected
    assert Image.objects.get(pk=image.pk).renditions == expected  # recorded in the row
    assert media_files("renditions") == rendition_names(image)  # and nothing else written


@pytest.mark.django_db
@pytest.mark.usefixtures("small_widths")
def test_saving_without_a_new_file_does_not_make_them_again(enqueued):
    image = Image(file=upload(), alt_text="Harbour")
    image.save()
    files = media_files()
    for name in files:
        os.utime(Path(settings.MEDIA_ROOT) / name, (1_000_000, 1_000_000))
    renditions = image.renditions

    image.caption = "Jaffa at dawn"
    image.save()
    Image.objects.get(pk=image.pk).save()
    Image.objects.get(pk=image.pk).save(update_fields=["caption"])

    assert enqueued == [image.pk]  # once, for the upload
    assert media_files() == files
    root = Path(settings.MEDIA_ROOT)
    assert {(root / name).stat().st_mtime for name in files} == {1_000_000}
    assert Image.objects.get(pk=image.pk).renditions == renditions


@pytest.mark.django_db
@pytest.mark.usefixtures("small_widths")
def test_running_the_task_again_keeps_the_copies_it_made():
    image = make_image(width=500, height=250)
    for name in rendition_names(image):
        os.utime(image.file.storage.path(name), (1_000_000, 1_000_000))

    result = make_renditions.enqueue(image.pk)

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == image.renditions
    assert {os.stat(image.file.storage.path(name)).st_mtime for name in rendition_names(image)} == {
        1_000_000
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("small_widths")
def test_the_task_makes_again_only_what_is_missing_from_storage():
    image = make_image(width=500, height=250)
    lost = image.renditions["webp"]["200"]
    image.file.storage.delete(lost)

    make_renditions.enqueue(image.pk)

    image.refresh_from_db()
    assert lost in rendition_names(image)
    assert image.file.storage.exists(lost)


@pytest.mark.django_db
@pytest.mark.usefixtures("small_widths")
def test_a_new_picture_gets_new_names_and_the_old_copies_stay(enqueued):
    image = make_image(data=jpeg_bytes(500, 250, color=(200, 0, 0)))
    old = rendition_names(image)

    image.file = upload(color=(0, 200, 0), name="replacement.jpg")
    image.save()

    assert enqueued == [image.pk, image.pk]
    new = rendition_names(image)
    assert len(new) == len(old) == 6 + 3  # three widths in two formats, three ratio crops
    assert not new & old  # a cached copy of an old name can never show the new picture
    assert media_files("renditions") == old | new  # pages and emails sent earlier keep working
    assert Image.objects.get(pk=image.pk).renditions == image.renditions


@pytest.mark.django_db
def test_the_task_for_an_image_deleted_meanwhile_does_nothing():
    image = make_image()
    pk = image.pk
    image.delete()
    result = make_renditions.enqueue(pk)
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, {})


@pytest.mark.django_db
def test_a_failing_task_is_logged_and_the_page_uses_the_original(client, caplog):
    image = make_image()
    Image.objects.filter(pk=image.pk).update(renditions={})
    image.file.storage.delete(image.file.name)  # nothing left to resize

    with caplog.at_level(logging.ERROR, logger="articles.tasks"):
        result = make_renditions.enqueue(image.pk)

    assert result.status == TaskResultStatus.FAILED
    assert f"Making the renditions of image {image.pk} failed" in caplog.text
    assert Image.objects.get(pk=image.pk).renditions == {}


# --- when the task runs: after the commit, never for a rolled-back upload ------------------


@pytest.fixture
def database_queue(settings):
    """Production's task backend: tasks are rows in the database, run by `db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_widths", "database_queue")
def test_with_the_database_queue_the_worker_makes_them_after_the_upload():
    with transaction.atomic():
        image = Image(file=upload(), alt_text="Harbour")
        image.save()
    # Queued with the upload; until the worker runs, the page shows the original.
    assert DBTaskResult.objects.filter(task_path__endswith="make_renditions").count() == 1
    assert media_files("renditions") == set()
    stored = Image.objects.get(pk=image.pk)
    assert stored.fallback_url == stored.file.url
    assert stored.webp_srcset == ""

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    stored = Image.objects.get(pk=image.pk)
    assert len(stored.renditions["webp"]) == 3
    assert media_files("renditions") == rendition_names(stored)
    assert "/media/renditions/" in stored.fallback_url


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue")
def test_an_upload_rolled_back_takes_its_task_with_it():
    def save_then_fail():
        with transaction.atomic():
            Image(file=upload(), alt_text="Harbour").save()
            raise RuntimeError("the rest of the form failed")

    with pytest.raises(RuntimeError):
        save_then_fail()

    assert not DBTaskResult.objects.exists()
    assert not Image.objects.exists()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert media_files("renditions") == set()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_task_runs_at_once(enqueued):
    image = make_image(width=1000, height=500)
    assert enqueued == [image.pk]
    assert sorted(image.renditions["jpg"], key=int) == ["120", "240", "480", "800", "1000"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_import_leaves_no_renditions_behind(tmp_path):
    # The importer deletes the files it stored when a story fails; the renditions come from
    # a task that only runs after a commit, so a failed import never makes any.
    folder = tmp_path / "stories"
    folder.mkdir()
    from PIL import Image as PILImage

    PILImage.new("RGB", (640, 360), (30, 90, 160)).save(folder / "negev.jpg", "JPEG")
    (folder / "story.md").write_text(
        "---\ntitle: Rain returns\nslug: rain\nstatus: published\n"
        "published: 2026-11-05T08:15:00+02:00\nimage: negev.jpg\nimage_alt: A wadi\n---\nRain.\n"
    )
    story = importer.read_story(folder / "story.md")
    story.updated = story.published - dt.timedelta(hours=1)  # refused by the database

    with pytest.raises(importer.StoryFileError, match="updated time cannot be before"):
        importer.import_story(story)

    assert not Image.objects.exists()
    assert media_files() == set()

    story.updated = None
    assert importer.import_story(story) == "created"
    image = Article.objects.get().lead_image
    assert rendition_names(image) == media_files("renditions")
    assert sorted(image.renditions["webp"], key=int) == ["120", "240", "480", "640"]


# --- pages without renditions fall back to the original -----------------------------------


@pytest.mark.django_db
def test_a_page_whose_image_has_no_renditions_shows_the_original(client):
    image = make_image()
    Image.objects.filter(pk=image.pk).update(renditions={})  # the task has not run (yet)
    story = make_story(image)

    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    img = lead_img_tag(html)
    assert f'src="{image.file.url}"' in img
    assert "srcset" not in img
    assert '<source type="image/webp"' not in html
    assert f'<meta property="og:image" content="http://testserver{image.file.url}">' in html


class CountingStorage(FileSystemStorage):
    """The local storage, counting what a render would ask it (nothing, it must be)."""

    asked: ClassVar[list[str]] = []

    def exists(self, name):
        self.asked.append(f"exists {name}")
        return super().exists(name)

    def size(self, name):
        self.asked.append(f"size {name}")
        return super().size(name)

    def open(self, name, mode="rb"):
        self.asked.append(f"open {name}")
        return super().open(name, mode)


@pytest.mark.django_db
def test_a_render_asks_the_storage_nothing(client, settings):
    """What exists is known from the database, so a page costs the same on S3 as on local
    disk: no page, feed or sitemap asks the storage whether a copy exists, or how big it is."""
    image = make_image()
    story = make_story(image, featured=True)
    make_story(make_image())
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.CountingStorage"},
    }
    settings.PAGE_CACHE_SECONDS = 0
    CountingStorage.asked.clear()
    for url in ["/", story.get_absolute_url(), "/feed/", "/feed/atom/", "/sitemap-articles.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/media/renditions/" in response.content.decode(), url
    assert CountingStorage.asked == []


@pytest.mark.django_db
def test_with_every_rendition_present_the_page_uses_them(client):
    image = make_image()
    story = make_story(image)
    img = lead_img_tag(client.get(story.get_absolute_url()).content.decode())
    assert 'src="/media/renditions/' in img
    assert re.search(r'srcset="[^"]*/[0-9a-f]{8}-480w\.jpg 480w', img)


# --- cache headers on /media/ ---------------------------------------------------------------


@pytest.mark.django_db
def test_renditions_and_originals_are_served_to_be_cached_for_good(client):
    image = make_image()
    for name in [image.file.name, *rendition_names(image)]:
        assert name.startswith(("images/", "renditions/"))
        response = client.get(f"/media/{name}")
        assert response.status_code == 200, name
        assert response["Cache-Control"] == IMMUTABLE
        b"".join(response.streaming_content)  # close the file


@pytest.mark.django_db
def test_a_revalidation_keeps_the_cache_header(client):
    image = make_image()
    first = client.get(f"/media/{image.file.name}")
    b"".join(first.streaming_content)
    again = client.get(
        f"/media/{image.file.name}", headers={"if-modified-since": first["Last-Modified"]}
    )
    assert again.status_code == 304
    assert again["Cache-Control"] == IMMUTABLE


@pytest.mark.django_db  # the 404 page lists the sections
def test_other_media_is_not_marked_immutable(client):
    root = Path(settings.MEDIA_ROOT)
    (root / "exports").mkdir(parents=True)
    (root / "exports" / "list.csv").write_text("a,b\n")
    (root / "images").mkdir()

    response = client.get("/media/exports/list.csv")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert "immutable" not in response.get("Cache-Control", "")

    # A path that only looks as if it were under images/ is judged where it leads.
    sneaky = client.get("/media/images/../exports/list.csv")
    assert sneaky.status_code == 200
    b"".join(sneaky.streaming_content)
    assert "immutable" not in sneaky.get("Cache-Control", "")

    missing = client.get("/media/renditions/1/00000000-480w.webp")
    assert missing.status_code == 404
    assert "immutable" not in missing.get("Cache-Control", "")


# --- the focal point positions card crops -----------------------------------------------------


@pytest.mark.django_db
def test_a_card_crops_around_the_focal_point(client):
    image = make_image(focal_x=30, focal_y=75)
    story = make_story(image, featured=True)

    card = card_img_tag(client.get("/").content.decode())
    assert 'class="focal-x-30 focal-y-75"' in card

    # The story page shows the whole picture: nothing to position.
    lead = lead_img_tag(client.get(story.get_absolute_url()).content.decode())
    assert "focal-" not in lead
    assert "style=" not in lead


@pytest.mark.django_db
def test_a_card_without_a_focal_point_has_no_style(client):
    make_story(make_image(), featured=True)
    assert "style=" not in card_img_tag(client.get("/").content.decode())
