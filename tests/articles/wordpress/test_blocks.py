"""Post content, block or classic, as a Newsroom body."""

from articles.wordpress.blocks import convert


def test_a_wp_html_blocks_scripts_and_iframes_are_dropped_and_counted():
    body = convert(
        "<!-- wp:html --><script>alert(1)</script><iframe src='https://evil.example/'></iframe>"
        "<p onclick='x()'>Kept</p><!-- /wp:html -->"
    )
    assert body.html == "<p>Kept</p>"
    assert (body.scripts_dropped, body.iframes_dropped) == (1, 1)


def test_an_iframe_of_a_known_provider_becomes_a_link():
    body = convert('<p>Watch</p><iframe src="https://player.vimeo.com/video/1"></iframe>')
    assert 'Vimeo: <a href="https://player.vimeo.com/video/1"' in body.html
    assert body.iframes_dropped == 0
    assert body.embeds == 1


def test_a_caption_shortcode_gives_a_picture_with_its_caption():
    body = convert(
        '[caption id="a" width="300"]<img src="/a.jpg" alt="A" class="wp-image-7"> The quay'
        "[/caption]\n\nText"
    )
    assert body.html == "<p>Text</p>"
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
    assert body.html == "<p>Before</p><p>After</p>"


def test_dynamic_blocks_leave_nothing():
    body = convert("<!-- wp:paragraph --><p>One</p><!-- /wp:paragraph --><!-- wp:archives /-->")
    assert body.html == "<p>One</p>"
    assert body.blocks_dropped == 1


def test_a_link_around_a_picture_goes_with_it():
    body = convert('<p><a href="/big.jpg"><img src="/small.jpg"></a> Harbour</p>')
    assert body.html == "<p> Harbour</p>" or body.html == "<p>Harbour</p>"


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
    assert body.html == "<p>After</p>"
    assert [(p.src, p.caption) for p in body.images] == [("/a.jpg", "One"), ("/b.jpg", "")]


def test_a_pullquote_keeps_its_quote():
    body = convert(
        '<!-- wp:pullquote --><figure class="wp-block-pullquote"><blockquote><p>Said.</p>'
        "</blockquote></figure><!-- /wp:pullquote -->"
    )
    assert body.html == "<blockquote><p>Said.</p></blockquote>"
