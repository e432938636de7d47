"""Pages of a list without counting it (``articles.pagination``)."""

import pytest
from django.http import Http404

from articles.pagination import Page, page_number, paginate


@pytest.mark.parametrize("raw", ["0", "-1", "x", "1.5", "1234567", "²"])
def test_a_page_number_that_is_not_one_is_a_404_naming_it(rf, raw):
    with pytest.raises(Http404, match="not a page number"):
        page_number(rf.get("/", {"page": raw}))


def test_no_page_is_page_one(rf):
    assert page_number(rf.get("/")) == 1
    assert page_number(rf.get("/", {"page": ""})) == 1


def test_a_page_reads_one_row_more_to_know_of_the_next(rf):
    rows = list(range(1, 8))
    first = paginate(rf.get("/"), rows, per_page=3)
    assert (list(first), first.has_next(), first.has_previous()) == ([1, 2, 3], True, False)
    last = paginate(rf.get("/", {"page": "3"}), rows, per_page=3)
    assert (list(last), last.has_next(), last.previous_page_number()) == ([7], False, 2)
    assert last.has_other_pages()


def test_past_the_last_page_is_a_404_but_page_one_always_exists(rf):
    with pytest.raises(Http404, match="past the last page"):
        paginate(rf.get("/", {"page": "2"}), [], per_page=3)
    empty = paginate(rf.get("/"), [], per_page=3)
    assert (len(empty), empty.has_other_pages()) == (0, False)
    assert Page(number=1).next_page_number() == 2
