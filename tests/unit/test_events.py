"""The registry knows every event an aggregate declares, so no stored topic goes unread."""

import importlib
import pkgutil

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, resolve_topic

import domain
from domain.events import EVENTS, EVENTS_BY_TOPIC, event_type


def declared_events() -> set[type[Aggregate.Event]]:
    """Events declared on any aggregate of the domain, not those the library adds."""
    inherited = set(vars(Aggregate))
    found: set[type[Aggregate.Event]] = set()
    for module_info in pkgutil.iter_modules(domain.__path__, "domain."):
        module = importlib.import_module(module_info.name)
        for aggregate in vars(module).values():
            if not (isinstance(aggregate, type) and issubclass(aggregate, Aggregate)):
                continue
            found.update(
                value
                for name, value in vars(aggregate).items()
                if name not in inherited
                and isinstance(value, type)
                and issubclass(value, Aggregate.Event)
            )
    return found


def test_every_declared_event_is_in_the_registry() -> None:
    assert set(EVENTS) == declared_events()
    assert len(EVENTS_BY_TOPIC) == len(EVENTS)


@pytest.mark.parametrize("cls", EVENTS, ids=lambda cls: cls.__qualname__)
def test_a_topic_names_the_class_the_library_resolves(cls: type[Aggregate.Event]) -> None:
    topic = get_topic(cls)
    assert event_type(topic) is cls
    assert resolve_topic(topic) is cls


def test_an_unknown_topic_is_refused_by_name() -> None:
    with pytest.raises(LookupError, match=r"domain\.case:Case\.Reopened"):
        event_type("domain.case:Case.Reopened")
