"""Word differences between two versions of a story (``articles.diffs``)."""

from types import SimpleNamespace

from articles import diffs


def version(**fields):
    return SimpleNamespace(field_dict=fields)


def test_plain_text_keeps_one_block_a_line():
    html = "<h2>Title</h2><p>One <strong>two</strong></p><ul><li>Three</li></ul>line<br>break"
    assert diffs.plain_text(html) == "Title\nOne two\nThree\nline\nbreak"
    assert diffs.plain_text("") == diffs.plain_text(None) == ""


def test_word_diff_marks_what_went_and_what_came_escaped():
    html = diffs.word_diff("The port <closed> today", "The port reopened today")
    assert html == "The port <del>&lt;closed&gt;</del> <ins>reopened</ins> today"
    assert diffs.word_diff("a\nb", "a\nb") == "a<br>b"


def test_between_lists_only_the_fields_that_changed():
    older = version(headline="Port closed", dek="Storm", body="<p>Ships wait.</p>")
    newer = version(headline="Port reopens", dek="Storm", body="<p>Ships wait.</p><p>Cranes.</p>")
    changes = diffs.between(older, newer)
    assert [change["label"] for change in changes] == ["Headline", "Body"]
    assert changes[0]["html"] == "Port <del>closed</del> <ins>reopens</ins>"
    assert changes[1]["html"] == "Ships wait. <ins><br> Cranes.</ins>"


def test_the_first_version_is_all_new():
    changes = diffs.between(None, version(headline="Port reopens", dek="", body=""))
    assert changes == [{"label": "Headline", "html": "<ins>Port reopens</ins>"}]
