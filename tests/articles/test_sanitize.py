import pytest

from articles.sanitize import clean_html

KEPT = [
    "<p>Plain paragraph</p>",
    "<h2>Sub-heading</h2>",
    "<h3>Smaller</h3>",
    "<h4>Smallest</h4>",
    "<p><strong>bold</strong> <em>italic</em> <b>b</b> <i>i</i></p>",
    "<blockquote><p>Quoted words</p></blockquote>",
    "<p>He said <q>we are ready</q>.</p>",
    "<ul><li>one</li><li>two</li></ul>",
    "<ol><li>first</li></ol>",
]


@pytest.mark.parametrize("html", KEPT)
def test_allowed_markup_is_kept(html):
    assert clean_html(html) == html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>a</p><script>alert('x')</script>", "<p>a</p>"),
        ("<style>body{display:none}</style><p>a</p>", "<p>a</p>"),
        ('<p onclick="steal()" onmouseover="x()">a</p>', "<p>a</p>"),
        ('<p style="color:red" class="MsoNormal" id="x">a</p>', "<p>a</p>"),
        ('<img src="x" onerror="alert(1)">', ""),
        ('<iframe src="https://evil.example/"></iframe><p>a</p>', "<p>a</p>"),
        ("<h1>Top</h1>", "Top"),
        ("<!-- comment --><p>a</p>", "<p>a</p>"),
        ('<svg onload="alert(1)"><circle/></svg>', ""),
    ],
)
def test_dangerous_markup_is_removed(dirty, clean):
    assert clean_html(dirty) == clean


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
    ],
)
def test_unsafe_link_urls_are_dropped(url):
    html = clean_html(f'<p><a href="{url}">click</a></p>')
    assert "href" not in html
    assert "click" in html


def test_safe_links_are_kept_with_rel():
    html = clean_html(
        '<p><a href="https://www.gov.il/" title="Gov">gov</a> '
        '<a href="mailto:desk@example.com">mail</a> <a href="/news/x/">x</a></p>'
    )
    assert 'href="https://www.gov.il/"' in html
    assert 'title="Gov"' in html
    assert 'href="mailto:desk@example.com"' in html
    assert 'href="/news/x/"' in html
    assert html.count('rel="noopener noreferrer"') == 3
