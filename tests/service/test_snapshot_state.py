"""Snapshot state through the application's transcoder: every value comes back as the
type it was, in its order, whatever container holds it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.fundcase import Fundcase
from application.shared.snapshots import boxed
from domain.case import CaseStatus, Direction, Document
from domain.commitment import CommitmentKind


def test_containers_json_cannot_keep_read_back_as_they_were(app: Fundcase) -> None:
    first, second = UUID(int=2), UUID(int=1)
    documents = {
        d.id: d
        for d in (
            Document(first, "B", Direction.INCOMING, date(2022, 1, 2), None),
            Document(second, "A", Direction.OUTGOING, date(2022, 1, 1), "SVID"),
        )
    }
    state = {
        "documents": documents,  # keyed by their own ids
        "by_year": {2023: "b", 2022: "a"},  # int keys: JSON would make them strings
        "by_kind": {CommitmentKind.CASH: (1, 2)},  # enum keys, a tuple value
        "status": CaseStatus.UNDER_REVIEW,
        "history": [(first, [CaseStatus.CLOSED])],
        "empty": ({}, (), []),
    }
    transcoder = app.mapper.transcoder
    read = transcoder.decode(transcoder.encode(boxed(state)))
    assert repr(read) == repr(state)
