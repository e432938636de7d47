"""Pictures: from the uploads folder or fetched, deduplicated, cleaned like every upload."""

import http.server
import threading

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from articles.models import Image, WordPressItem
from articles.wordpress import media
from tests.articles.wordpress.conftest import run_import

pytestmark = pytest.mark.django_db


def story(wp_id):
    return WordPressItem.objects.get(kind="post", wp_id=str(wp_id)).article


def test_featured_images_are_lead_images_with_their_texts(imported):
    lead = story(101).lead_image
    assert lead.alt_text == "The island ferry moored at the quay"
    assert lead.caption == "The morning ferry at the quay."
    assert lead.credit == "Photo: M. Kahn"  # from the file's IPTC data, as WordPress read it
    assert (lead.width, lead.height) == (640, 360)


def test_a_remote_picture_is_fetched_and_its_exif_applied_and_stripped(imported):
    lead = story(109).lead_image
    assert lead.credit == "Photo: Y. Levi"
    assert lead.caption == "הנמל בבוקר"
    assert (lead.width, lead.height) == (200, 320)  # turned upright
    with default_storage.open(lead.file.name) as handle, PILImage.open(handle) as picture:
        assert not picture.getexif()


def test_body_pictures_enter_the_library_once_each(imported):
    out, err = imported
    # ferry (lead of 101, also in its body), quay (in 101's gallery and 102's caption), nets,
    # and the remote one: four files, each stored once.
    assert Image.objects.count() == 4
    assert "Images: 4 stored" in out
    assert "1 missing" in out
    assert "featured image missing" in err
    assert "lost.jpg is not in" in err
    # 102's featured image was lost: its first body picture leads, with the caption.
    lead = story(102).lead_image
    assert lead.caption == "Tables along the quay. Photo: Harbour Gazette"
    assert lead.alt_text  # a published story's lead image is described
    assert "<img" not in story(101).body
    assert "<figure>" not in story(101).body  # its embed has one (data-embed), no picture
    # At their places, the library's pictures: 101's gallery (quay, nets); not the ferry,
    # which leads the story already, nor 102's quay, which became its lead.
    quay = Image.objects.get(file__contains="quay")
    nets = Image.objects.get(file__contains="nets")
    assert f'<figure data-image="{quay.pk}"></figure><figure data-image="{nets.pk}"></figure>' in (
        story(101).body
    )
    assert story(101).body.count("data-image") == 2
    assert story(102).lead_image == quay
    assert "data-image" not in story(102).body


def test_the_same_bytes_are_one_image(export, uploads):
    (uploads / "2026" / "11" / "nets.jpg").write_bytes((uploads / "2026/11/quay.jpg").read_bytes())
    run_import(export, uploads=str(uploads))
    assert Image.objects.count() == 3


def test_without_uploads_pictures_are_fetched_and_missing_ones_reported(
    export, uploads, remote, tmp_path
):
    # The site's uploads served by the local server, lost.jpg still lost.
    served = tmp_path / "remote" / "wp-content"
    served.mkdir()
    uploads.rename(served / "uploads")
    site = f"{remote}/wp-content/uploads/"
    export.write_text(
        export.read_text().replace("https://gazette.example/wp-content/uploads/", site)
    )
    out, err = run_import(export)
    assert Image.objects.count() == 4
    assert "4 fetched" in out
    assert "1 missing" in out
    assert "lost.jpg: HTTP 404" in err
    assert story(101).lead_image.alt_text == "The island ferry moored at the quay"


def test_fetching_is_http_only_limited_and_bounded(remote, settings):
    with pytest.raises(media.MissingImage, match="not an http"):
        media.fetch("file:///etc/passwd")
    with pytest.raises(media.MissingImage, match="HTTP 404"):
        media.fetch(f"{remote}/nothing.jpg")
    settings.IMAGE_MAX_BYTES = 100
    with pytest.raises(media.MissingImage, match="limit"):
        media.fetch(f"{remote}/nemal.jpg")


def test_a_server_that_never_answers_times_out():
    class Silent(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            threading.Event().wait(3)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(media.MissingImage, match="timed out"):
            media.fetch(f"http://127.0.0.1:{server.server_address[1]}/slow.jpg", timeout=0.5)
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_to_a_file_is_refused(tmp_path):
    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(media.MissingImage, match="http"):
            media.fetch(f"http://127.0.0.1:{server.server_address[1]}/x.jpg")
    finally:
        server.shutdown()
        server.server_close()


def test_an_uploads_path_cannot_leave_the_folder(uploads, tmp_path):
    (tmp_path / "secret.jpg").write_bytes(b"not yours")
    pictures = media.Pictures(str(uploads))
    assert pictures._local("../secret.jpg") is None
