"""What every read model is: tables of its own, and a typed handler per event it reads."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from sqlalchemy import BigInteger, Column, Connection, MetaData, Table, bindparam, update

from domain.events import event_type
from domain.values import Money

E = TypeVar("E", bound=DomainEventProtocol[Any])

# PostgreSQL: rows written with COPY from this many in one write (`write_rows`).
COPY_FROM = 50

# The live read-model tables, which readers query; a rebuild fills copies beside them.
READ_MODELS = MetaData()


@dataclass(frozen=True)
class On(Generic[E]):
    """A handler of one event type; the type checker holds the handler to that type."""

    event: type[E]
    handler: Callable[[Connection, E], None]

    def __post_init__(self) -> None:
        event_type(get_topic(self.event))  # an event the domain does not declare fails here


K = TypeVar("K")  # what a batch keeps in memory


class Projection(ABC):
    """Event handlers writing rows; the runner gives each batch one transaction.

    Tables are defined under a suffix so that a rebuild can fill fresh copies
    (`suffix="__rebuild"`) while readers keep reading the live ones.
    """

    name: ClassVar[str]
    # What an event costs this projection in a rebuild, in µs: a million divided by its
    # rate rebuilt alone on PostgreSQL (the rebuild benchmark's "one by one"). A rebuild
    # in several processes shares the projections out by it.
    rebuild_cost: ClassVar[int] = 10
    # Tables made beside the projection's own outside its metadata (e.g. SQLite's
    # full-text table), named without the suffix: a rebuild swaps them in too.
    companion_tables: ClassVar[tuple[str, ...]] = ()

    @contextmanager
    def keeping(self, conn: Connection, batch: K) -> Iterator[K]:
        """What this batch keeps in memory to write at its end (`pending`), for this
        batch only: a batch that rolled back leaves nothing behind for the next."""
        conn.info[self._pending_key] = batch
        try:
            yield batch
        finally:
            del conn.info[self._pending_key]

    def pending(self, conn: Connection, kind: type[K]) -> K:
        """What the batch running on `conn` keeps (`keeping`)."""
        batch = conn.info[self._pending_key]
        assert isinstance(batch, kind)
        return batch

    @property
    def _pending_key(self) -> str:
        return f"{self.name}_pending{self.suffix}"

    def __init__(self, metadata: MetaData, suffix: str = "", *, rebuilding: bool = False) -> None:
        self.metadata = metadata
        self.suffix = suffix
        # A copy filled from the whole log into tables no reader sees until the swap: it
        # may leave to `finish_rebuild` what is cheaper done once for the whole log.
        self.rebuilding = rebuilding
        self.define_tables()
        self._handlers: dict[type[Any], Callable[[Connection, Any], None]] = {
            on.event: on.handler for on in self.handlers()
        }
        self.topics = frozenset(get_topic(cls) for cls in self._handlers)
        self._statements: dict[tuple[Any, ...], Any] = {}

    @abstractmethod
    def define_tables(self) -> None: ...

    @abstractmethod
    def handlers(self) -> Sequence[On[Any]]: ...

    @property
    def tables(self) -> list[Table]:
        return [t for t in self.metadata.sorted_tables if t.info.get("projection") == self.name]

    def table(self, name: str, *columns: Any, **options: Any) -> Table:
        """A table of this projection, named with its suffix (indexes too)."""
        return Table(
            f"{name}{self.suffix}",
            self.metadata,
            *columns,
            info={"projection": self.name, "base_name": name},
            **options,
        )

    def finish_rebuild(self, connection: Connection) -> None:  # noqa: B027 (most need none)
        """After a bulk fill (`rebuilding`) reached its end: leave the tables exactly as
        incremental processing would, since a rebuild applies the events after this
        with `rebuilding` off (in a transaction of its own before the swap; a replay
        calls it in its one transaction)."""

    def insert_row(self, connection: Connection, table: Table, row: Mapping[str, Any]) -> None:
        """One row, through a statement built once: only the parameters are new."""
        key = ("insert", table.name)
        if key not in self._statements:
            self._statements[key] = table.insert()
        connection.execute(self._statements[key], dict(row))

    def write_rows(
        self, connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Insert many new rows (each with the same columns) at once, past SQLAlchemy's
        per-row work: COPY on PostgreSQL, the driver's `executemany` on SQLite with the
        columns' own conversions (dates as SQLAlchemy stores them). Rows, not statements,
        are what cost: for a batch's ledger, register or chain rows. (On PostgreSQL a few
        rows go as one insert: a COPY's start and end cost more round trips.)"""
        if not rows:
            return
        names = list(rows[0])
        driver = connection.connection.driver_connection
        if connection.dialect.name == "postgresql" and len(rows) < COPY_FROM:
            connection.execute(table.insert(), list(rows))
            return
        if connection.dialect.name == "postgresql":
            copy_sql = self._statements.get(("copy", table.name, *names))
            if copy_sql is None:
                listed = ", ".join(f'"{name}"' for name in names)
                copy_sql = self._statements[("copy", table.name, *names)] = (
                    f'COPY "{table.name}" ({listed}) FROM STDIN'
                )
            values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
            with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(values(row))
            return
        key = ("executemany", table.name, *names)
        prepared = self._statements.get(key)
        if prepared is None:
            listed = ", ".join(f'"{name}"' for name in names)
            marks = ", ".join("?" for _ in names)
            dialect = connection.dialect
            processors = [
                table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
            ]
            prepared = self._statements[key] = (
                f'INSERT INTO "{table.name}" ({listed}) VALUES ({marks})',  # noqa: S608 (our names)
                [(at, to) for at, to in enumerate(processors) if to is not None],
            )
        insert, convert = prepared
        values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
        if not convert:
            parameters = [values(row) for row in rows]
        else:
            parameters = []
            for row in rows:
                converted = list(values(row))
                for at, to in convert:
                    if converted[at] is not None:
                        converted[at] = to(converted[at])
                parameters.append(converted)
        driver.executemany(insert, parameters)  # type: ignore[union-attr]

    def update_row(
        self,
        connection: Connection,
        table: Table,
        where: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
        add: Mapping[str, Any] | None = None,
    ) -> None:
        """Set `values` and add `add` to columns of the rows whose columns equal `where`,
        through a statement built once for these column names."""
        values, add = values or {}, add or {}
        statement = self.update_statement(table, tuple(where), tuple(values), tuple(add))
        connection.execute(statement, update_parameters(where, values, add))

    def update_statement(
        self, table: Table, where: tuple[str, ...], values: tuple[str, ...], add: tuple[str, ...]
    ) -> Any:
        """UPDATE `table` SET each of `values` to `v_<name>`, add `a_<name>` to each of
        `add`, WHERE each of `where` equals `w_<name>` (see `update_parameters`); built
        once, to run with one row of parameters or many (`executemany`)."""
        key = ("update", table.name, where, values, add)
        statement = self._statements.get(key)
        if statement is None:
            c = table.c
            statement = (
                update(table)
                .where(*(c[name] == bindparam(f"w_{name}") for name in where))
                .values(
                    {name: bindparam(f"v_{name}") for name in values}
                    | {name: c[name] + bindparam(f"a_{name}") for name in add}
                )
            )
            self._statements[key] = statement
        return statement

    def apply(self, connection: Connection, event: object, position: int) -> None:
        """Apply one event (at its log position, for a projection that keeps it)."""
        self._handlers[type(event)](connection, event)

    def apply_batch(
        self,
        connection: Connection,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], object],
    ) -> None:
        """Apply a batch: events of the topics this projection handles, decoded, in order."""
        for notification in notifications:
            if notification.topic in self.topics:
                self.apply(connection, decode(notification), notification.id)


def update_parameters(
    where: Mapping[str, Any], values: Mapping[str, Any], add: Mapping[str, Any]
) -> dict[str, Any]:
    """The parameters of a statement of `Projection.update_statement`."""
    return (
        {f"w_{k}": v for k, v in where.items()}
        | {f"v_{k}": v for k, v in values.items()}
        | {f"a_{k}": v for k, v in add.items()}
    )


def öre_column(name: str, *, nullable: bool = False) -> Column[int]:
    """Money as whole öre: exact sums on every database, SQLite included."""
    return Column(name, BigInteger, nullable=nullable)


def to_öre(money: Money) -> int:
    return int(money.amount * 100)


def from_öre(öre: int) -> Decimal:
    """Kronor with two decimals (`Decimal("1.00")`), exactly."""
    return Decimal(öre).scaleb(-2)


def utc(timestamp: datetime) -> datetime:
    """Event timestamps as naive UTC: SQLite keeps no zone, so every store keeps none."""
    return timestamp.replace(tzinfo=None)
