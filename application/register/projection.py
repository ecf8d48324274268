"""The register (diarium): cases and the documents registered in them."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Notification
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    delete,
    func,
    select,
    update,
)

from application.register import search
from application.shared.read_model import READ_MODELS, On, Projection, to_öre, utc, öre_column
from domain.case import Case, Document, masked_fields
from domain.values import OrganisationNumber


class RegisterProjection(Projection):
    name = "register"
    rebuild_cost = 35
    companion_tables = (search.FTS_TABLE,)

    def define_tables(self) -> None:
        self.cases = self.table(
            "register_cases",
            Column("case_id", String(36), primary_key=True),
            Column("diary_number", String(40), nullable=False, unique=True),
            Column("prefix", String(10), nullable=False),
            Column("sequence", Integer, nullable=False),
            Column("year", Integer, nullable=False),
            Column("title", Text, nullable=False),
            Column("applicant_name", Text, nullable=False),
            Column("organisation_number", String(11), nullable=False),
            Column("project_name", Text, nullable=False),
            Column("project_start", Date, nullable=False),
            Column("project_end", Date, nullable=False),
            Column("project_purpose", Text, nullable=False),
            Column("programme", Text),
            öre_column("requested_ore", nullable=True),
            öre_column("total_budget_ore", nullable=True),
            Column("received_on", Date, nullable=False),
            Column("officer_name", Text, nullable=False),
            Column("officer_unit", Text, nullable=False),
            Column("status", String(20), nullable=False),
            # JSON object: masked field -> legal ground.
            Column("secret_fields", Text, nullable=False),
            Column("decision_count", Integer, nullable=False),
            Column("registered_at", DateTime, nullable=False),
            Column("updated_at", DateTime, nullable=False),
            Column("version", Integer, nullable=False),
            # Lower-cased text to search in; the public one leaves secret parts out.
            Column("search_text", Text, nullable=False),
            Column("public_search_text", Text, nullable=False),
            # The case's key in SQLite's full-text index (application/register/search.py),
            # given in the order cases are registered; a rowid could change on VACUUM.
            Column("search_id", BigInteger, nullable=False),
        )
        Index(f"ix_register_cases_year{self.suffix}", self.cases.c.year, self.cases.c.sequence)
        Index(f"ix_register_cases_status{self.suffix}", self.cases.c.status)
        Index(f"ix_register_cases_search_id{self.suffix}", self.cases.c.search_id, unique=True)
        self.documents = self.table(
            "register_documents",
            Column("document_id", String(36), primary_key=True),
            Column("case_id", String(36), nullable=False),
            # Within the case: 1, 2, 3, ... in the order registered (docs/adr/0017).
            Column("number", Integer, nullable=False),
            Column("title", Text, nullable=False),
            Column("direction", String(10), nullable=False),
            Column("document_date", Date, nullable=False),
            Column("party", Text),
            Column("secret_ground", Text),
            Column("registered_at", DateTime, nullable=False),
        )
        Index(f"ix_register_documents_case{self.suffix}", self.documents.c.case_id)
        # Who outside the case officer's unit may read a case's secret parts, until when.
        self.access = self.table(
            "register_access",
            Column("case_id", String(36), primary_key=True),
            Column("person_id", String(36), primary_key=True),
            Column("until", Date),
        )
        search.attach(self.cases, self.documents, self.suffix)

    def handlers(self) -> Sequence[On[Any]]:
        return (
            On(Case.Registered, self.registered),
            On(Case.Imported, self.imported),
            On(Case.DocumentRegistered, self.document_registered),
            On(Case.SecrecyMarked, self.secrecy_marked),
            On(Case.SecrecyAssessed, self.secrecy_assessed),
            On(Case.AccessGranted, self.access_granted),
            On(Case.StatusChanged, self.status_changed),
            On(Case.DecisionRecorded, self.decision_recorded),
        )

    def registered(self, conn: Connection, e: Case.Registered) -> None:
        batch = self.pending(conn, _Pending)
        if batch.next_search_id is None:
            batch.next_search_id = conn.execute(
                select(func.coalesce(func.max(self.cases.c.search_id), 0) + 1)
            ).scalar_one()
        search_id, number, case_id = batch.next_search_id, e.diary_number, str(e.originator_id)
        batch.next_search_id += 1
        batch.cases[case_id] = {
            "case_id": case_id,
            "diary_number": str(number),
            "prefix": number.prefix,
            "sequence": number.sequence,
            "year": number.year,
            "title": e.title,
            "applicant_name": e.applicant.name,
            "organisation_number": e.applicant.organisation_number.value,
            "project_name": e.project.name,
            "project_start": e.project.period.start,
            "project_end": e.project.period.end,
            "project_purpose": e.project.purpose,
            "programme": e.programme,
            "requested_ore": None if e.requested_amount is None else to_öre(e.requested_amount),
            "total_budget_ore": None if e.total_budget is None else to_öre(e.total_budget),
            "received_on": e.received_on,
            "officer_name": e.case_officer.name,
            "officer_unit": e.case_officer.unit,
            "status": "registered",
            "secret_fields": _fields_json({m.target: m.ground for m in e.secrecy}),
            "decision_count": 0,
            "registered_at": utc(e.timestamp),
            "updated_at": utc(e.timestamp),
            "version": e.originator_version,
            "search_text": "",
            "public_search_text": "",
            "search_id": search_id,
        }
        batch.unindexed.add(case_id)  # indexed once its search text is known
        batch.touched.add(case_id)

    def imported(self, conn: Connection, e: Case.Imported) -> None:
        """A case as another register had it: its row at its status, and its documents."""
        self.registered(conn, e)
        batch, case_id = self.pending(conn, _Pending), str(e.originator_id)
        batch.cases[case_id]["status"] = str(e.status)
        batch.documents += [
            _document_row(case_id, document, number, None, e.timestamp)
            for number, document in enumerate(e.documents, 1)
        ]

    def document_registered(self, conn: Connection, e: Case.DocumentRegistered) -> None:
        doc, case_id = e.document, str(e.originator_id)
        number = e.number
        if number is None:  # recorded before numbers: the next in the order registered
            self._flush(conn)
            number = (
                1
                + conn.execute(
                    select(func.count()).where(self.documents.c.case_id == case_id)
                ).scalar_one()
            )
        secret_ground = None if e.secrecy is None else e.secrecy.ground
        self.pending(conn, _Pending).documents.append(
            _document_row(case_id, doc, number, secret_ground, e.timestamp)
        )
        self._touch(conn, e)
        self.pending(conn, _Pending).touched.add(case_id)

    def secrecy_marked(self, conn: Connection, e: Case.SecrecyMarked) -> None:
        self._flush(conn)
        case_id, marking = str(e.originator_id), e.marking
        marked_document = conn.execute(
            update(self.documents)
            .where(self.documents.c.document_id == marking.target)
            .values(secret_ground=marking.ground)
        )
        if marked_document.rowcount == 0:
            current = conn.execute(
                select(self.cases.c.secret_fields).where(self.cases.c.case_id == case_id)
            ).scalar_one()
            fields = json.loads(current) | {marking.target: marking.ground}
            conn.execute(
                update(self.cases)
                .where(self.cases.c.case_id == case_id)
                .values(secret_fields=_fields_json(fields))
            )
        self._touch(conn, e)
        self.pending(conn, _Pending).touched.add(case_id)

    def secrecy_assessed(self, conn: Connection, e: Case.SecrecyAssessed) -> None:
        """Exactly the parts assessed are secret now: documents by id, the rest fields."""
        self._flush(conn)
        case_id = str(e.originator_id)
        docs = self.documents.c
        grounds = {m.target: m.ground for m in e.markings}
        for document_id in conn.execute(
            select(docs.document_id).where(docs.case_id == case_id)
        ).scalars():
            conn.execute(
                update(self.documents)
                .where(docs.document_id == document_id)
                .values(secret_ground=grounds.pop(document_id, None))
            )
        self._touch(conn, e, secret_fields=_fields_json(grounds))
        self.pending(conn, _Pending).touched.add(case_id)

    def access_granted(self, conn: Connection, e: Case.AccessGranted) -> None:
        key = {"case_id": str(e.originator_id), "person_id": str(e.grant.person_id)}
        conn.execute(delete(self.access).where(*(self.access.c[k] == v for k, v in key.items())))
        conn.execute(self.access.insert().values(**key, until=e.grant.until))
        self._touch(conn, e)

    def apply_batch(
        self,
        connection: Connection,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], object],
    ) -> None:
        """Apply the batch, write what it left pending, then refresh the search text once
        for each case it touched."""
        with self.keeping(connection, _Pending()) as batch:
            super().apply_batch(connection, notifications, decode)
            fresh = self._search_new_cases(batch)
            self._flush(connection)
            search.index(connection, self.suffix, fresh)
            self._refresh_search(connection, sorted(batch.touched), batch.unindexed)

    def _search_new_cases(self, batch: _Pending) -> list[search.Indexed]:
        """The search texts of the cases registered in the batch and not yet written,
        from the rows kept: all their documents are kept too (a write takes both), so
        they are written with their texts, not read back for them."""
        documents: dict[str, list[dict[str, Any]]] = {}
        for document in batch.documents:
            if document["case_id"] in batch.cases:
                documents.setdefault(document["case_id"], []).append(document)
        fresh = []
        for case_id, case in batch.cases.items():
            listed = sorted(
                documents.get(case_id, []), key=lambda d: (d["registered_at"], d["document_id"])
            )
            case["search_text"], case["public_search_text"] = search_texts(case, listed)
            fresh.append(
                search.Indexed(
                    case["search_id"],
                    case["diary_number"],
                    case["search_text"],
                    case["public_search_text"],
                )
            )
            batch.touched.discard(case_id)
            batch.unindexed.discard(case_id)
        return fresh

    def status_changed(self, conn: Connection, e: Case.StatusChanged) -> None:
        self._touch(conn, e, status=str(e.status))

    def decision_recorded(self, conn: Connection, e: Case.DecisionRecorded) -> None:
        self._touch(conn, e, decisions=1)

    def _touch(self, conn: Connection, e: Case.Event, decisions: int = 0, **values: Any) -> None:
        """The case as of event `e`: kept in the batch, written by `_flush`."""
        batch, case_id = self.pending(conn, _Pending), str(e.originator_id)
        values |= {"updated_at": utc(e.timestamp), "version": e.originator_version}
        new = batch.cases.get(case_id)
        if new is not None:  # registered in this batch and not written yet
            new.update(values)
            new["decision_count"] += decisions
            return
        change = batch.changes.setdefault(case_id, {"decisions": 0})
        change.update(values)
        change["decisions"] += decisions

    def _flush(self, conn: Connection) -> None:
        """Write what the batch keeps pending: one statement per table (`executemany`)
        for new rows, and one per kind of change for cases already written."""
        batch = self.pending(conn, _Pending)
        if batch.cases:
            self.write_rows(conn, self.cases, list(batch.cases.values()))
            batch.cases.clear()
        if batch.documents:
            self.write_rows(conn, self.documents, batch.documents)
            batch.documents = []
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for case_id, change in batch.changes.items():
            columns = tuple(sorted(change))
            by_columns.setdefault(columns, []).append(
                {"p_case_id": case_id, **{f"p_{k}": v for k, v in change.items()}}
            )
        batch.changes.clear()
        for columns, rows in by_columns.items():
            conn.execute(self._change_statement(columns), rows)

    def _change_statement(self, columns: tuple[str, ...]) -> Any:
        statement = self._change_statements.get(columns)
        if statement is None:
            c = self.cases.c
            values: dict[str, Any] = {k: bindparam(f"p_{k}") for k in columns if k != "decisions"}
            values["decision_count"] = c.decision_count + bindparam("p_decisions")
            statement = update(self.cases).where(c.case_id == bindparam("p_case_id")).values(values)
            self._change_statements[columns] = statement
        return statement

    def _refresh_search(self, conn: Connection, case_ids: list[str], unindexed: set[str]) -> None:
        """Recompute both search texts of these cases; the public one never holds a
        secret part. Cases of `unindexed` are not yet in SQLite's full-text index."""
        docs = self.documents.c
        for at in range(0, len(case_ids), 500):
            chunk = case_ids[at : at + 500]
            cases = conn.execute(select(self.cases).where(self.cases.c.case_id.in_(chunk))).all()
            documents: dict[str, list[Any]] = {}
            for d in conn.execute(
                select(docs.case_id, docs.title, docs.party, docs.secret_ground)
                .where(docs.case_id.in_(chunk))
                .order_by(docs.case_id, docs.number)
            ):
                documents.setdefault(d.case_id, []).append(d._mapping)
            changed, gone, added = [], [], []
            for case in cases:
                before = search.Indexed(
                    case.search_id, case.diary_number, case.search_text, case.public_search_text
                )
                after = search.Indexed(
                    case.search_id,
                    case.diary_number,
                    *search_texts(case._mapping, documents.get(case.case_id, [])),
                )
                new = case.case_id in unindexed
                if after == before and not new:
                    continue
                if after != before:
                    changed.append(
                        {
                            "p_case_id": case.case_id,
                            "p_search_text": after.search_text,
                            "p_public_search_text": after.public_search_text,
                        }
                    )
                if not new:
                    gone.append(before)
                added.append(after)
            if changed:
                conn.execute(self._search_statement, changed)
            search.unindex(conn, self.suffix, gone)
            search.index(conn, self.suffix, added)

    @functools.cached_property
    def _search_statement(self) -> Any:
        c = self.cases.c
        return (
            update(self.cases)
            .where(c.case_id == bindparam("p_case_id"))
            .values(
                search_text=bindparam("p_search_text"),
                public_search_text=bindparam("p_public_search_text"),
            )
        )

    @functools.cached_property
    def _change_statements(self) -> dict[tuple[str, ...], Any]:
        return {}


@dataclass
class _Pending:
    """What a batch has applied but not yet written: written together, one statement
    per table, before a handler reads the tables and at the end of the batch."""

    cases: dict[str, dict[str, Any]] = field(default_factory=dict)  # new, by case id
    documents: list[dict[str, Any]] = field(default_factory=list)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # to written cases
    next_search_id: int | None = None
    touched: set[str] = field(default_factory=set)  # search text due
    unindexed: set[str] = field(default_factory=set)  # not yet in the full-text index


def _fields_json(fields: Mapping[str, str]) -> str:
    return json.dumps(dict(fields), sort_keys=True, ensure_ascii=False)


def search_texts(
    case: Mapping[Any, Any], documents: Iterable[Mapping[Any, Any]]
) -> tuple[str, str]:
    """The search text of a case and its public one, which leaves every secret part out.

    `case` has the register row's columns, each document its `title`, `party` and
    `secret_ground`, in the order registered."""
    secret = masked_fields(json.loads(case["secret_fields"]))
    personal = OrganisationNumber(case["organisation_number"]).is_personal_identity_number
    parts: list[tuple[str | None, bool]] = [
        (case["diary_number"], False),
        (case["title"], "title" in secret),
        (case["applicant_name"], "applicant.name" in secret),
        (case["organisation_number"], personal or "applicant.organisation_number" in secret),
        (case["project_name"], "project.name" in secret),
        (case["project_purpose"], "project.purpose" in secret),
        (case["programme"], False),
        (case["officer_name"], False),
        (case["officer_unit"], False),
    ]
    for doc in documents:
        hidden = doc["secret_ground"] is not None
        parts += [(doc["title"], hidden), (doc["party"], hidden)]
    return (
        _searchable(p for p, _ in parts),
        _searchable(p for p, hidden in parts if not hidden),
    )


def _searchable(parts: Iterable[str | None]) -> str:
    return "\n".join(p.casefold() for p in parts if p)


REGISTER = RegisterProjection(READ_MODELS)


def _document_row(
    case_id: str, document: Document, number: int, secret_ground: str | None, at: datetime
) -> dict[str, Any]:
    """A document's row in the register: its number within the case, and its ground
    where it is secret."""
    return {
        "document_id": str(document.id),
        "case_id": case_id,
        "number": number,
        "title": document.title,
        "direction": str(document.direction),
        "document_date": document.date,
        "party": document.party,
        "secret_ground": secret_ground,
        "registered_at": utc(at),
    }
