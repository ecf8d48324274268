"""What a command leaves for the next: only aggregates as the store holds them."""

from __future__ import annotations

import copy

from eventsourcing.domain import Aggregate, event

from application.shared.kept import KEPT_PER_COMMAND, HeldByCommand, KeptAggregates


class Counter(Aggregate):
    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


def stored() -> Counter:
    """A counter as a load from the store gives it: nothing pending."""
    counter = Counter()
    counter.collect_events()
    return counter


def save(*aggregates: Aggregate) -> None:
    for aggregate in aggregates:
        aggregate.collect_events()


def test_an_aggregate_loaded_and_left_unchanged_is_kept() -> None:
    held, counter = HeldByCommand(), stored()
    held.loaded(counter)
    assert held.as_stored() == [counter]


def test_an_aggregate_changed_and_saved_is_kept_at_its_new_version() -> None:
    held, counter = HeldByCommand(), stored()
    held.loaded(counter)
    counter.count_one()
    save(counter)
    held.saved([counter], recorded=True)
    assert held.as_stored() == [counter]
    assert counter.version == 2


def test_an_aggregate_changed_and_not_saved_is_not_kept() -> None:
    held, counter = HeldByCommand(), stored()
    held.loaded(counter)
    counter.count_one()
    assert held.as_stored() == []


def test_a_change_after_the_save_that_was_not_stored_is_not_kept() -> None:
    """A second save that failed has taken the events out of the object already: its
    version is past the one saved, so it is not what the store holds."""
    held, counter = HeldByCommand(), stored()
    held.loaded(counter)
    counter.count_one()
    save(counter)
    held.saved([counter], recorded=True)
    counter.count_one()
    counter.collect_events()  # as a failed save leaves it
    assert held.as_stored() == []


def test_an_aggregate_the_command_only_created_is_not_kept() -> None:
    held, created = HeldByCommand(), Counter()
    save(created)
    held.saved([created], recorded=True)
    assert held.as_stored() == []


def test_a_command_that_loads_more_than_its_share_keeps_none() -> None:
    held = HeldByCommand()
    for _ in range(KEPT_PER_COMMAND + 1):
        held.loaded(stored())
    assert held.as_stored() == []


def test_taking_an_aggregate_removes_it_and_the_least_recent_goes_first() -> None:
    kept = KeptAggregates(size=2)
    first, second, third = stored(), stored(), stored()
    kept.give_back([first, second])
    assert kept.take(first.id) is first
    assert kept.take(first.id) is None
    kept.give_back([first, third])  # second is now the least recently given back
    assert kept.take(second.id) is None
    assert kept.take(first.id) is first
    assert kept.take(third.id) is third


def test_an_aggregate_taken_unread_is_checked_by_the_commands_first_save() -> None:
    """Until a save has checked it, the command's answer may rest on a copy that was
    behind: the save is asked to check its version, and then no more is taken unread."""
    held, counter, other = HeldByCommand(), stored(), stored()
    assert held.may_skip_read()
    held.loaded(counter, read=False)
    held.loaded(other)
    assert held.unread == {counter.id: 1}
    held.saved([other], recorded=True)
    assert held.unread == {}
    assert not held.may_skip_read()


def test_an_aggregate_read_again_at_the_version_taken_is_no_longer_unread() -> None:
    held, counter = HeldByCommand(), stored()
    held.loaded(counter, read=False)
    held.loaded(counter)  # read from the store: nobody had written since
    assert held.unread == {}


def test_an_aggregate_read_again_at_a_later_version_is_still_to_be_checked() -> None:
    """What the command judged on the first copy may be stale: the save must still
    fail, so that the command runs again from the store."""
    held, counter = HeldByCommand(), stored()
    held.loaded(counter, read=False)
    newer = copy.deepcopy(counter)  # the same aggregate, as the store has it now
    newer.count_one()
    newer.collect_events()
    held.loaded(newer)
    assert held.unread == {counter.id: 1}


def test_a_save_that_recorded_nothing_checked_nothing() -> None:
    held, counter = HeldByCommand(), stored()
    held.loaded(counter, read=False)
    held.saved([counter], recorded=False)
    assert held.unread == {counter.id: 1}
    assert held.may_skip_read()


def test_a_command_run_again_from_the_store_takes_nothing_unread() -> None:
    assert not HeldByCommand(from_store=True).may_skip_read()
