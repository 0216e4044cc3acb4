"""Bulk writes collect garbage less often, and put the collector back as they found it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from placet.stores.bulk import BULK_THRESHOLDS, fewer_collections


@pytest.fixture(autouse=True)
def known_thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_a_bulk_write_raises_the_thresholds_and_restores_them_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == BULK_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_the_thresholds_are_restored_when_the_write_fails() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the write failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_nested_bulk_write_leaves_the_thresholds_raised_until_the_outer_one_ends() -> None:
    with fewer_collections():
        with fewer_collections():
            assert gc.get_threshold() == BULK_THRESHOLDS
        assert gc.get_threshold() == BULK_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_concurrent_bulk_writes_restore_the_thresholds_when_the_last_one_ends() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def second() -> None:
        first_in.wait()
        with fewer_collections():
            second_in.set()
            first_out.wait()
            seen.append(gc.get_threshold())

    thread = threading.Thread(target=second)
    thread.start()
    with fewer_collections():
        first_in.set()
        second_in.wait()
    first_out.set()
    thread.join()
    assert seen == [BULK_THRESHOLDS]  # the first ending did not restore them under the second
    assert gc.get_threshold() == (700, 10, 10)
