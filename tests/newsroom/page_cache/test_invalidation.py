"""What a write changed (``newsroom.page_cache.invalidate``): bumped at once and at commit,
and the CDN told after the commit."""

import pytest
from django.db import transaction

from newsroom import page_cache
from newsroom.page_cache.store import store, tag_key

pytestmark = pytest.mark.usefixtures("any_cache")


def version(tag):
    return store().read([tag_key(tag)]).get(tag_key(tag))


@pytest.mark.django_db
def test_inside_a_transaction_a_tag_is_bumped_at_once_and_again_at_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.invalidate("thing:1")
        at_once = version("thing:1")
        assert at_once is not None
    assert version("thing:1") > at_once


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_is_bumped_at_once_only():
    def write_then_fail():
        with transaction.atomic():
            page_cache.invalidate("thing:2")
            seen.append(version("thing:2"))
            raise RuntimeError("rolled back")

    seen = []
    with pytest.raises(RuntimeError):
        write_then_fail()
    assert version("thing:2") == seen[0] is not None


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_tag_is_bumped_once():
    page_cache.invalidate("thing:3")
    assert version("thing:3") is not None


def test_nothing_to_invalidate_is_nothing():
    page_cache.invalidate()


@pytest.mark.django_db(transaction=True)
def test_a_bulk_write_makes_everything_stale_once_at_its_end():
    from newsroom.page_cache.store import ALL

    page_cache.invalidate("thing:4")
    before = version(ALL), version("thing:4")
    with page_cache.suspended():
        assert page_cache.is_suspended()
        for n in range(100):
            with transaction.atomic():
                page_cache.invalidate("thing:4", f"other:{n}")
        assert (version(ALL), version("thing:4")) == before  # nothing bumped meanwhile
        assert version("other:1") is None
    assert not page_cache.is_suspended()
    assert version(ALL) is not None
    assert version(ALL) != before[0]
    assert version("thing:4") == before[1]  # "all" covers it


@pytest.mark.django_db(transaction=True)
def test_a_bulk_write_that_changed_nothing_bumps_nothing():
    from newsroom.page_cache.store import ALL

    before = version(ALL)
    with page_cache.suspended():
        pass
    assert version(ALL) == before
