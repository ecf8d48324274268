"""What every projection is: tables of its own, and a handler per event type it reads."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from sqlalchemy import BigInteger, Column, Connection, MetaData, Table

from domain.values import Money

Handler = Callable[[Connection, Any], None]


class Projection(ABC):
    """Event handlers writing rows; the runner gives each batch one transaction.

    Tables are defined under a suffix so that a rebuild can fill fresh copies
    (`suffix="__rebuild"`) while readers keep reading the live ones.
    """

    name: ClassVar[str]

    def __init__(self, metadata: MetaData, suffix: str = "") -> None:
        self.metadata = metadata
        self.suffix = suffix
        self.define_tables()
        self._handlers = self.handlers()
        self.topics = frozenset(get_topic(cls) for cls in self._handlers)

    @abstractmethod
    def define_tables(self) -> None: ...

    @abstractmethod
    def handlers(self) -> Mapping[type[Any], Handler]: ...

    @property
    def tables(self) -> list[Table]:
        return [t for t in self.metadata.sorted_tables if t.info.get("projection") == self.name]

    def table(self, name: str, *columns: Any) -> Table:
        """A table of this projection, named with its suffix (indexes too)."""
        return Table(
            f"{name}{self.suffix}",
            self.metadata,
            *columns,
            info={"projection": self.name, "base_name": name},
        )

    def apply(self, connection: Connection, event: Any) -> None:
        self._handlers[type(event)](connection, event)

    def apply_batch(
        self,
        connection: Connection,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], Any],
    ) -> None:
        """Apply a batch: events of the topics this projection handles, decoded, in order."""
        for notification in notifications:
            if notification.topic in self.topics:
                self.apply(connection, decode(notification))


def event_class(aggregate: type[Aggregate], name: str) -> type[Any]:
    """The event class that `@event(name)` made on the aggregate.

    Type checkers cannot see those classes; looking them up here fails at import
    if a name is ever wrong, instead of silently never matching an event.
    """
    found = vars(aggregate).get(name)
    if not (isinstance(found, type) and issubclass(found, Aggregate.Event)):
        msg = f"{aggregate.__name__} has no event {name!r}"
        raise LookupError(msg)
    return found


def öre_column(name: str, *, nullable: bool = False) -> Column[int]:
    """Money as whole öre: exact sums on every database, SQLite included."""
    return Column(name, BigInteger, nullable=nullable)


def to_öre(money: Money) -> int:
    return int(money.amount * 100)


def from_öre(öre: int) -> Decimal:
    return (Decimal(öre) / 100).quantize(Decimal("0.01"))


def utc(timestamp: datetime) -> datetime:
    """Event timestamps as naive UTC: SQLite keeps no zone, so every store keeps none."""
    return timestamp.replace(tzinfo=None)
