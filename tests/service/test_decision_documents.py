"""A decision's document is printed once when it is made and stored with the write: kept
when the events are saved, dropped when they are not; its basis may name documents."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import pytest

from application.decisions.commands import (
    BasisDocumentNamed,
    CorrectDecision,
    DecisionMakerDetails,
    DelegationUsed,
    TakeDecision,
)
from application.decisions.documents import DecisionDocument
from application.fundcase import Fundcase
from application.shared.errors import ConcurrentWrite
from demo.worked_example import OFFICIAL, record_worked_example
from domain.errors import DomainError
from tests.service.steps import document, log_position, propose


@dataclass
class Store:
    """A file store that remembers what became of each upload."""

    kept: dict[str, bytes] = field(default_factory=dict)
    dropped: list[bytes] = field(default_factory=list)

    def receive(self, limit: int) -> Receiving:
        return Receiving(self, limit)


@dataclass
class Receiving:
    store: Store
    limit: int
    content: bytes = b""

    def write(self, chunk: bytes) -> None:
        self.content += chunk
        assert len(self.content) <= self.limit

    def finish(self) -> Received:
        return Received(self.store, self.content)

    def discard(self) -> None:
        self.store.dropped.append(self.content)


@dataclass
class Received:
    store: Store
    content: bytes
    media_type: str = "application/pdf"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    def keep(self) -> None:
        self.store.kept[self.sha256] = self.content

    def discard(self) -> None:
        self.store.dropped.append(self.content)


def printed(document: DecisionDocument) -> bytes:
    return f"%PDF-1.7 {document.to_json()}".encode()


@pytest.fixture
def store(app: Fundcase) -> Store:
    store = Store()
    app.document_store = store  # type: ignore[assignment]
    app.print_document = printed
    return store


def test_a_decision_and_each_correction_keep_their_document_as_printed(
    app: Fundcase, store: Store
) -> None:
    decision_id = record_worked_example(app).decision_id
    app.correct_decision(
        decision_id, CorrectDecision(reason="Skrivfel", extract_to=["Ekonomi"]), OFFICIAL
    )
    decision = app.get_decision(decision_id)
    first, second = decision.files
    assert (first.version, second.version) == (1, 2)
    assert decision.file_of(2) == second
    assert b'"version": 1' in store.kept[first.sha256]
    assert b'"extract_to": ["Ekonomi"]' in store.kept[second.sha256]
    assert "Rättelse".encode() in store.kept[second.sha256]
    assert second.name.endswith("-v2.pdf")
    assert store.dropped == []


def test_a_write_that_cannot_be_saved_keeps_no_document(app: Fundcase, store: Store) -> None:
    decision_id = record_worked_example(app).decision_id
    kept = dict(store.kept)

    def printed_while_another_writes(document: DecisionDocument) -> bytes:
        # Someone else records a correction meanwhile: this write's version is taken.
        app.print_document = printed
        app.correct_decision(decision_id, CorrectDecision(reason="Annan", points=["Ny"]), OFFICIAL)
        return printed(document)

    app.print_document = printed_while_another_writes
    with pytest.raises(ConcurrentWrite):
        app.correct_decision(
            decision_id, CorrectDecision(reason="Skrivfel", extract_to=["Ekonomi"]), OFFICIAL
        )
    assert len(store.dropped) == 1
    assert len(store.kept) == len(kept) + 1  # the other correction's document only
    assert [f.version for f in app.get_decision(decision_id).files] == [1, 2]


def _taking(
    case_id: UUID, order_id: UUID, commitment: UUID, basis: list[str | BasisDocumentNamed]
) -> TakeDecision:
    return TakeDecision(
        case_id=case_id,
        decided_on=date(2022, 3, 10),
        decided_by=DecisionMakerDetails(
            name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
        ),
        delegation=DelegationUsed(order_id=order_id, point="8.1"),
        description="Deltagande i projekt",
        basis=basis,
        points=["Regionen medfinansierar projektet."],
        commitment_ids=[commitment],
    )


def test_a_basis_names_a_document_of_the_case_by_number_or_id(app: Fundcase, store: Store) -> None:
    example = record_worked_example(app)
    case_id, order_id = example.case_id, example.order_id
    registered = app.register_document(case_id, document("Komplettering"), OFFICIAL)
    commitment = propose(app, case_id, "1000")
    by_number = BasisDocumentNamed(document=registered.reference)
    decision = app.take_decision(
        _taking(case_id, order_id, commitment, ["Ansökan", by_number]), OFFICIAL
    )
    wording = app.get_decision(decision.id).wording
    assert wording.basis == ("Ansökan", f"{registered.reference} Komplettering")
    [named] = wording.documents
    assert (named.line, named.document_id) == (1, registered.document_id)
    assert named.number == registered.number
    by_id = BasisDocumentNamed(document=str(registered.document_id))
    corrected = app.correct_decision(
        decision.id, CorrectDecision(reason="Underlaget", basis=[by_id]), OFFICIAL
    )
    assert app.get_decision(decision.id, corrected.version).wording.basis == (
        f"{registered.reference} Komplettering",
    )
    position = log_position(app)
    unknown = BasisDocumentNamed(document=f"{registered.reference}0")
    with pytest.raises(DomainError) as refused:
        app.take_decision(_taking(case_id, order_id, commitment, [unknown]), OFFICIAL)
    assert refused.value.rule == "BasisDocumentMustBeRegisteredInTheCase"
    assert refused.value.field == "basis[0].document"
    assert log_position(app) == position
