"""The tests' WordPress exports (the XML files here, written for the tests) and what they
need around them: a local copy of wp-content/uploads and a web server on loopback for the
pictures an import fetches."""

import functools
import http.server
import io
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

HERE = Path(__file__).resolve().parent


def jpeg(color, size=(640, 360), exif=None) -> bytes:
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    PILImage.new("RGB", size, color).save(buffer, "JPEG", **options)
    return buffer.getvalue()


@pytest.fixture
def uploads(tmp_path) -> Path:
    """wp-content/uploads as a site would copy it: the pictures the site export names, but
    lost.jpg (a picture the site had lost)."""
    folder = tmp_path / "uploads" / "2026" / "11"
    folder.mkdir(parents=True)
    (folder / "ferry.jpg").write_bytes(jpeg((20, 60, 140)))
    (folder / "quay.jpg").write_bytes(jpeg((140, 90, 20)))
    (folder / "nets.jpg").write_bytes(jpeg((40, 120, 60)))
    return tmp_path / "uploads"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def remote(tmp_path):
    """A web server on loopback serving pictures from a folder; yields its base URL."""
    folder = tmp_path / "remote"
    folder.mkdir()
    exif = PILImage.Exif()
    exif[0x0112] = 6  # orientation: turn right; the import must apply and drop it
    exif[0x010F] = "Camera maker"
    (folder / "nemal.jpg").write_bytes(jpeg((200, 40, 40), size=(320, 200), exif=exif.tobytes()))
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def export(tmp_path, remote) -> Path:
    """site.xml with its remote picture on the local server."""
    path = tmp_path / "site.xml"
    path.write_text((HERE / "site.xml").read_text().replace("REMOTE", remote))
    return path


def run_import(*args, **options):
    """call_command("import_wordpress", ...) with its output and errors as text."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_wordpress", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def imported(export, uploads):
    """The site export imported with its uploads and the newsdesk mapped to a byline."""
    return run_import(export, uploads=str(uploads), author_map=["desk=Harbour Gazette Staff"])


def item_xml(wp_id, title, status, *, body=None, extra=""):
    """One post of an export, as WordPress writes it (``extra``: more of its elements)."""
    body = body if body is not None else f"<p>Text of {wp_id}.</p>"
    return f"""<item><title><![CDATA[{title}]]></title><dc:creator>ed</dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>
<wp:post_id>{wp_id}</wp:post_id><wp:post_date>2026-11-01 10:00:00</wp:post_date>
<wp:post_date_gmt>2026-11-01 09:00:00</wp:post_date_gmt><wp:post_name>post-{wp_id}</wp:post_name>
<wp:status>{status}</wp:status><wp:post_type>post</wp:post_type>{extra}</item>"""


def export_xml(items: str, *, channel: str = "") -> str:
    """An export holding ``items`` (``channel``: more of the channel's elements)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>T</title><link>https://t.example</link><wp:wxr_version>1.2</wp:wxr_version>
{channel}{items}</channel></rss>"""
