"""Every kind of public page is valid HTML5 by the W3C Nu HTML checker (vnu.jar)."""

import datetime as dt
import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Author, Banner, LiveUpdate
from tests.factories import make_article, make_author, make_image, make_section, make_tag
from tests.helpers import require_tool

VNU = (
    Path(__file__).resolve().parent.parent
    / "node_modules"
    / "vnu-jar"
    / "build"
    / "dist"
    / "vnu.jar"
)


@pytest.mark.django_db
def test_public_pages_are_valid_html(client, tmp_path):
    require_tool(VNU, "npm ci, as make test does")
    require_tool(shutil.which("java") or "java", "apt-get install default-jre-headless")
    section = make_section(name="All Israel", slug="all-israel")
    staff = make_author(name="All Israel News Staff", kind=Author.Kind.ORGANISATION)
    article = make_article(
        section=section,
        lead_image=make_image(),
        authors=[staff, make_author(photo=make_image())],
        tags=[make_tag(), make_tag()],
        body="<p>One</p><h2>Two</h2><blockquote><p>Three</p></blockquote><ul><li>Four</li></ul>"
        # Embeds in the body: a YouTube player and an X card (articles/embeds.py).
        '<figure data-embed="https://www.youtube.com/watch?v=abcDEF12345"></figure>'
        '<figure data-embed="https://x.com/police/status/2"></figure>'
        # Library pictures in the body (articles/body_images.py), one without a caption.
        f'<figure data-image="{make_image().pk}"></figure>'
        f'<figure data-image="{make_image(caption="", credit="").pk}"></figure>',
    )
    assert article.body.count("data-embed") == 2  # both kept by the sanitiser
    assert article.body.count("data-image") == 2
    make_article(section=section, featured=True, lead_image=make_image())
    article.notes.create(text="An earlier version gave the wrong date.")
    # Every page below carries the breaking-news banner.
    Banner.objects.create(
        text="Storm closes the coast road",
        link=article.get_absolute_url(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    live = make_article(section=section, live=True, headline="Storm over the coast")
    for fields in [
        {"title": "Schools close", "key_event": True, "image": make_image()},
        {"embed_url": "https://www.youtube.com/watch?v=abcDEF12345"},
        {"embed_url": "https://x.com/police/status/1", "pinned": True},
        {"author": staff},
    ]:
        LiveUpdate.objects.create(article=live, text="<p>What happened.</p>", **fields)
    pages = {
        "home": "/",
        "article": article.get_absolute_url(),
        "section": section.get_absolute_url(),
        "author": staff.get_absolute_url(),
        "tag": article.tags.first().get_absolute_url(),
        "search": "/search/?q=story",
        "newsletter": "/newsletter/",
        "about": "/about/",
        "privacy": "/privacy/",
        "corrections": "/corrections/",
        "live": live.get_absolute_url(),
        "not-found": "/news/missing/",
    }
    files = []
    for name, url in pages.items():
        response = client.get(url)
        # Each page as it is meant to be, so that a broken one is never checked in its place.
        assert response.status_code == (404 if name == "not-found" else 200), url
        if name == "article":  # its body's pictures are checked too
            assert response.content.count(b"story__figure--body") == 2
        compressed = client.get(url, headers={"accept-encoding": "gzip"})
        if compressed.get("Content-Encoding") == "gzip":  # what browsers get: the same page
            assert gzip.decompress(compressed.content) == response.content, url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    invalid = client.post("/newsletter/subscribe/", {"email": "not an address"})
    (tmp_path / "signup-error.html").write_bytes(invalid.content)
    files.append(str(tmp_path / "signup-error.html"))

    assert html_problems(files) == []


def html_problems(files: list[str]) -> list[str]:
    """The Nu HTML checker's errors and warnings for the given HTML files, one JVM run."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stdout)["messages"]
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
