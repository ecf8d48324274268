"""An import defers the garbage collector's full passes, and only while it runs."""

import gc
import threading

from application.imports.use_cases import FULL_COLLECTIONS_DEFERRED, _long_lived


def test_overlapping_imports_defer_full_collections_until_the_last_ends() -> None:
    before = gc.get_threshold()
    first_inside, second_may_end = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def first() -> None:
        with _long_lived():
            first_inside.set()
            second_may_end.wait(5)
            seen.append(gc.get_threshold())

    runner = threading.Thread(target=first)
    runner.start()
    first_inside.wait(5)
    with _long_lived():
        assert gc.get_threshold()[2] == FULL_COLLECTIONS_DEFERRED
    second_may_end.set()  # the second run ended first: the first still defers
    runner.join(5)
    assert seen == [(*before[:2], FULL_COLLECTIONS_DEFERRED)]
    assert gc.get_threshold() == before
