"""The page cache's records (``newsroom.page_cache.store``): the clock, tags, and freshness."""

import pytest

from newsroom.page_cache.store import ALL, CLOCK, store

pytestmark = pytest.mark.usefixtures("any_cache")


def test_a_bump_moves_the_clock_and_raises_its_tags_together():
    found = store()
    start = found.clock()
    version = found.bump(["a", "b", "a"])
    assert version > start
    assert found.read([CLOCK])[CLOCK] >= version
    assert found.versions(["a", "b", "c"]) == {"a": version, "b": version}
    assert found.bumped_at(version) is not None
    assert found.bump(["a"]) > version


def test_fresh_while_no_tag_moved_past_the_start():
    found = store()
    start = found.clock()
    found.write_missing_tags(["a", ALL], start)
    assert found.fresh(start, ("a", ALL), start, None, "checked", 60)
    assert found.read(["checked"])["checked"] == (start, start)
    found.bump(["b"])
    clock = found.clock()
    # The clock moved: the tags are read (still fresh), and the check is recorded at it.
    assert found.fresh(start, ("a", ALL), clock, (start, start), "checked", 60)
    assert found.read(["checked"])["checked"] == (start, clock)
    found.bump(["a"])
    assert not found.fresh(start, ("a", ALL), found.clock(), (start, clock), "checked", 60)


def test_a_tag_never_written_makes_what_carries_it_stale():
    found = store()
    start = found.clock()
    assert not found.fresh(start, ("never",), start + 1, None, "checked", 60)


def test_everything_stored_before_an_outage_is_stale_once_the_cache_is_back():
    found = store()
    start = found.clock()
    found.write_missing_tags([ALL], start)
    found.outages_seen -= 1  # as if the cache had failed since this process last looked
    found.recover()
    assert not found.fresh(start, (ALL,), found.clock(), None, "checked", 60)
    assert found.outages_seen == found.outages()
