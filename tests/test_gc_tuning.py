"""The GC tuning extension: frozen start-up objects and the young-generation threshold."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy.exceptions import NotConfigured

from newsagg.extensions.gc_tuning import GcTuning
from tests.conftest import crawler_with_context


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_spider_open_freezes_what_lives_and_raises_the_threshold() -> None:
    crawler = crawler_with_context({"NEWSAGG_GC_FREEZE": True, "NEWSAGG_GC_THRESHOLD": 5000})
    _, older, oldest = gc.get_threshold()
    assert gc.get_freeze_count() == 0

    GcTuning.from_crawler(crawler).spider_opened()

    assert gc.get_freeze_count() > 1000  # Scrapy, lxml, pytest...: all that lives now
    assert gc.get_threshold() == (5000, older, oldest)


def test_off_the_extension_is_not_loaded() -> None:
    crawler = crawler_with_context({"NEWSAGG_GC_FREEZE": False})
    with pytest.raises(NotConfigured):
        GcTuning.from_crawler(crawler)
