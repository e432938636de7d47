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


# Embeds (articles/embeds.py): one stored form, for allowed addresses only

YOUTUBE = "https://www.youtube.com/watch?v=abcDEF12345"
STORED_YOUTUBE = (
    f'<figure data-embed="{YOUTUBE}"><a href="{YOUTUBE}" rel="noopener noreferrer">'
    f"YouTube embed: {YOUTUBE}</a></figure>"
)


def test_an_allowed_embed_is_kept_in_its_one_stored_form():
    dirty = f'<figure data-embed="{YOUTUBE}" class="wp" onclick="x()"><p>anything</p></figure>'
    assert clean_html(dirty) == STORED_YOUTUBE
    assert clean_html(STORED_YOUTUBE) == STORED_YOUTUBE


def test_a_player_address_or_plain_http_is_kept_as_the_page_it_plays_on_https():
    assert clean_html(
        '<figure data-embed="http://www.youtube-nocookie.com/embed/abcDEF12345"></figure>'
    ) == clean_html(f'<figure data-embed="{YOUTUBE}"></figure>')
    assert 'data-embed="https://vimeo.com/76979871"' in clean_html(
        '<figure data-embed="https://player.vimeo.com/video/76979871"></figure>'
    )


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (  # a site not on the list: its link, as a paragraph
            '<figure data-embed="https://evil.example/x"><a href="https://evil.example/x">'
            "See it</a></figure>",
            '<p><a href="https://evil.example/x" rel="noopener noreferrer">See it</a></p>',
        ),
        (  # nothing inside: a link to the address is made
            '<figure data-embed="https://evil.example/v?a=1&amp;b=2"></figure>',
            '<p><a href="https://evil.example/v?a=1&amp;b=2" rel="noopener noreferrer">'
            "https://evil.example/v?a=1&amp;b=2</a></p>",
        ),
        ('<figure data-embed="javascript:alert(1)">hi</figure>', "<p>hi</p>"),
        ("<figure><h2>Not an embed</h2></figure>", "<h2>Not an embed</h2>"),
        ("<figure>caption only</figure>", "<p>caption only</p>"),
        (  # an embed inside another figure comes out of it
            f'<figure><figure data-embed="{YOUTUBE}"></figure><p>cap</p></figure>',
            f"{STORED_YOUTUBE}<p>cap</p>",
        ),
        ("<p>\x000\x00</p>", "<p>0</p>"),  # the placeholders cannot be forged
    ],
)
def test_other_figures_and_refused_embeds_become_their_content(dirty, clean):
    assert clean_html(dirty) == clean
