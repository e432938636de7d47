"""Post content, block or classic, as a Newsroom body."""

import re

import pytest

from articles.rich_text import clean_body
from articles.wordpress.blocks import convert


def test_a_wp_html_blocks_scripts_and_iframes_are_dropped_and_counted():
    body = convert(
        "<!-- wp:html --><script>alert(1)</script><iframe src='https://evil.example/'></iframe>"
        "<p onclick='x()'>Kept</p><!-- /wp:html -->"
    )
    assert body.html == "<p>Kept</p>"
    assert (body.scripts_dropped, body.iframes_dropped) == (1, 1)


def test_an_iframe_of_an_allowed_provider_becomes_an_embed_of_the_page_it_plays():
    body = convert(
        '<p>Watch</p><iframe src="https://player.vimeo.com/video/1"></iframe>'
        '<iframe src="//www.youtube.com/embed/abcDEF12345?rel=0" width="560"></iframe>'
        '<iframe src="https://www.youtube-nocookie.com/embed/ghiJKL67890"></iframe>'
    )
    assert re.findall(r'data-embed="([^"]*)"', body.html) == [
        "https://vimeo.com/1",
        "https://www.youtube.com/watch?v=abcDEF12345",
        "https://www.youtube.com/watch?v=ghiJKL67890",
    ]
    assert "iframe" not in body.html
    assert (body.iframes_dropped, body.embeds, body.embeds_as_links) == (0, 3, 0)


def test_an_iframe_of_a_known_site_not_allowed_becomes_a_link_and_others_go():
    body = convert(
        '<iframe src="https://w.soundcloud.com/player/?url=x"></iframe>'
        '<iframe src="https://ads.example/frame"></iframe>'
    )
    assert body.html.startswith('<p>SoundCloud: <a href="https://w.soundcloud.com/player/')
    assert "ads.example" not in body.html
    assert (body.iframes_dropped, body.embeds, body.embeds_as_links) == (1, 0, 1)


YOUTUBE = "https://www.youtube.com/watch?v=abcDEF12345"


def embeds_in(html: str) -> list[str]:
    return re.findall(r'<figure data-embed="([^"]*)">', html)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            f'<!-- wp:embed {{"url":"{YOUTUBE}","type":"video","providerNameSlug":"youtube"}} -->'
            '<figure class="wp-block-embed is-provider-youtube"><div class="wp-block-embed__'
            f'wrapper">\n{YOUTUBE}\n</div></figure><!-- /wp:embed -->',
            id="wp:embed",
        ),
        pytest.param(
            f'<!-- wp:core-embed/youtube {{"url":"{YOUTUBE}"}} --><figure class="wp-block-'
            f'embed-youtube"><div>{YOUTUBE}</div></figure><!-- /wp:core-embed/youtube -->',
            id="core-embed/youtube (WordPress 5.0 to 5.5)",
        ),
        pytest.param(f"Watch:\n\n[embed]{YOUTUBE}[/embed]", id="[embed]"),
        pytest.param(f'Watch:\n\n[embed width="560"]{YOUTUBE}[/embed]', id="[embed w=]"),
        pytest.param(f"Watch:\n\n{YOUTUBE}\n\nAfter.", id="a URL alone on a line"),
        pytest.param(f"Watch:\n\n{YOUTUBE.replace('https', 'http')}\n\nAfter.", id="on plain http"),
        pytest.param(
            '<p>Watch:</p><iframe width="560" src="https://www.youtube.com/embed/abcDEF12345"'
            " allowfullscreen></iframe>",
            id="an iframe",
        ),
    ],
)
def test_each_form_of_embed_of_an_allowed_site_is_kept(content):
    body = convert(content)
    assert embeds_in(body.html) == [YOUTUBE]
    assert (body.embeds, body.embeds_as_links) == (1, 0)
    assert clean_body(body.html) == body.html  # as the sanitiser stores it


@pytest.mark.parametrize(
    "content",
    [
        '<!-- wp:embed {"url":"https://video.example/clip/9"} --><figure><div>'
        "https://video.example/clip/9</div></figure><!-- /wp:embed -->",
        "[embed]https://video.example/clip/9[/embed]",
        "Watch:\n\nhttps://video.example/clip/9\n\nAfter.",
    ],
)
def test_each_form_of_embed_of_another_site_becomes_a_link(content):
    body = convert(content)
    assert '<p><a href="https://video.example/clip/9" rel="noopener noreferrer">' in body.html
    assert embeds_in(body.html) == []
    assert (body.embeds, body.embeds_as_links) == (0, 1)


def test_an_embed_of_a_known_site_not_allowed_is_a_link_named_after_it():
    body = convert("[embed]https://open.spotify.com/track/1[/embed]")
    assert body.html.startswith('<p>Spotify: <a href="https://open.spotify.com/track/1"')


def test_an_embed_figure_written_in_the_post_itself_is_judged_by_the_sanitiser():
    body = convert(
        '<figure data-embed="https://evil.example/x"><img src="/a.jpg"></figure>'
        f'<figure data-embed="{YOUTUBE}"></figure>'
    )
    assert embeds_in(body.html) == [YOUTUBE]
    assert "evil.example" in body.html  # as a link, not an embed


def test_a_caption_shortcode_gives_a_picture_with_its_caption():
    body = convert(
        '[caption id="a" width="300"]<img src="/a.jpg" alt="A" class="wp-image-7"> The quay'
        "[/caption]\n\nText"
    )
    # At its place, a placeholder for the picture the library will hold (Body.images[0]).
    assert body.html == '<figure data-image="0"></figure><p>Text</p>'
    assert body.with_pictures([12]) == '<figure data-image="12"></figure><p>Text</p>'
    assert body.with_pictures([None]) == "<p>Text</p>"  # missing: nothing left of it
    [picture] = body.images
    assert (picture.src, picture.alt, picture.caption, picture.attachment_id) == (
        "/a.jpg",
        "A",
        "The quay",
        7,
    )


def test_a_gallery_shortcode_names_its_attachments():
    body = convert('Before\n\n[gallery ids="4,5"]\n\nAfter')
    assert [p.attachment_id for p in body.images] == [4, 5]
    assert body.html == (
        '<p>Before</p><figure data-image="0"></figure><figure data-image="1"></figure><p>After</p>'
    )


def test_dynamic_blocks_leave_nothing():
    body = convert("<!-- wp:paragraph --><p>One</p><!-- /wp:paragraph --><!-- wp:archives /-->")
    assert body.html == "<p>One</p>"
    assert body.blocks_dropped == 1


def test_a_link_around_a_picture_goes_with_it():
    body = convert('<p><a href="/big.jpg"><img src="/small.jpg"></a> Harbour</p>')
    # The picture stays at its place without the link; the text after it is a paragraph.
    assert body.html == '<figure data-image="0"></figure><p>Harbour</p>'
    assert [p.src for p in body.images] == ["/small.jpg"]


def test_prose_brackets_stay_and_plugin_shortcodes_go():
    body = convert('He said [sic] so.\n\n[newsletter_form list="2"]\n\n[note]Inside[/note]')
    assert body.html == "<p>He said [sic] so.</p><p>Inside</p>"
    assert body.shortcodes_dropped == 2


def test_a_gallery_block_leaves_no_empty_list():
    body = convert(
        '<!-- wp:gallery --><figure class="wp-block-gallery"><ul><li><figure>'
        '<img src="/a.jpg" class="wp-image-1"><figcaption>One</figcaption></figure></li>'
        '<li><figure><img src="/b.jpg"></figure></li></ul><figcaption>Both</figcaption>'
        "</figure><!-- /wp:gallery --><!-- wp:paragraph --><p>After</p><!-- /wp:paragraph -->"
    )
    assert body.html == (
        '<figure data-image="0"></figure><figure data-image="1"></figure><p>After</p>'
    )
    assert [(p.src, p.caption) for p in body.images] == [("/a.jpg", "One"), ("/b.jpg", "")]


def test_a_pullquote_keeps_its_quote():
    body = convert(
        '<!-- wp:pullquote --><figure class="wp-block-pullquote"><blockquote><p>Said.</p>'
        "</blockquote></figure><!-- /wp:pullquote -->"
    )
    assert body.html == "<blockquote><p>Said.</p></blockquote>"
