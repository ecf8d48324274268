"""Attaching a file: the use case keeps the bytes only once the event is saved, and
discards them when the case refuses it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from application.fundcase import Fundcase
from demo.worked_example import OFFICIAL
from domain.errors import DomainError
from tests.service.steps import document, log_position, register

PDF = "%PDF-1.7 Ansökan".encode()
PDFS = {"application/pdf"}


@dataclass
class Received:
    """A file as a store received it; says what became of it."""

    content: bytes = PDF
    media_type: str = "application/pdf"
    outcome: str = "received"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    def keep(self) -> None:
        self.outcome = "kept"

    def discard(self) -> None:
        self.outcome = "discarded"


def test_a_file_is_kept_when_its_event_is_saved_and_answers_its_facts(app: Fundcase) -> None:
    case_id = register(app).id
    doc = app.register_document(case_id, document(), OFFICIAL)
    received = Received()
    attached = app.attach_file(case_id, doc.document_id, "Ansökan.pdf", received, PDFS, OFFICIAL)
    assert received.outcome == "kept"
    assert (attached.name, attached.media_type) == ("Ansökan.pdf", "application/pdf")
    assert attached.size == len(PDF)
    assert attached.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attached.position == log_position(app)
    assert [f.id for f in app.get_case(case_id).files_of(doc.document_id)] == [attached.id]


def test_the_same_name_and_content_again_answers_the_file_attached_then(app: Fundcase) -> None:
    case_id = register(app).id
    doc = app.register_document(case_id, document(), OFFICIAL).document_id
    first = app.attach_file(case_id, doc, "Ansökan.pdf", Received(), PDFS, OFFICIAL)
    position = log_position(app)
    again = app.attach_file(case_id, doc, "Ansökan.pdf", Received(), PDFS, OFFICIAL)
    assert again.id == first.id
    assert log_position(app) == position  # nothing recorded twice


@pytest.mark.parametrize(
    ("received", "name", "rule"),
    [
        (Received(content=b""), "Tom.pdf", "FileMustNotBeEmpty"),
        (
            Received(media_type="application/x-msdownload"),
            "setup.exe",
            "MediaTypeMustBeAllowedForArchiving",
        ),
        (Received(), "../Ansökan.pdf", "FileNameMustBeAPlainName"),
    ],
)
def test_a_refused_file_is_discarded_and_nothing_recorded(
    app: Fundcase, received: Received, name: str, rule: str
) -> None:
    case_id = register(app).id
    doc = app.register_document(case_id, document(), OFFICIAL).document_id
    position = log_position(app)
    with pytest.raises(DomainError) as refusal:
        app.attach_file(case_id, doc, name, received, PDFS, OFFICIAL)
    assert refusal.value.rule == rule
    assert received.outcome == "discarded"
    assert log_position(app) == position


def test_the_files_of_one_upload_are_attached_all_or_none(app: Fundcase) -> None:
    case_id = register(app).id
    doc = app.register_document(case_id, document(), OFFICIAL).document_id
    first, empty, last = Received(PDF + b"1"), Received(b""), Received(PDF + b"3")
    position = log_position(app)
    with pytest.raises(DomainError) as refused:
        app.attach_files(
            case_id,
            doc,
            [("Ansökan.pdf", first), ("Tom.pdf", empty), ("Bilaga.pdf", last)],
            PDFS,
            OFFICIAL,
        )
    assert (refused.value.rule, refused.value.field) == ("FileMustNotBeEmpty", "files[1].file")
    assert "Tom.pdf" in refused.value.message
    assert [r.outcome for r in (first, empty, last)] == ["discarded"] * 3
    assert log_position(app) == position
    both = [("Ansökan.pdf", Received(PDF + b"1")), ("Bilaga.pdf", Received(PDF + b"3"))]
    attached = app.attach_files(case_id, doc, both, PDFS, OFFICIAL)
    assert [r.outcome for _, r in both] == ["kept", "kept"]
    assert [f.name for f in attached.files] == ["Ansökan.pdf", "Bilaga.pdf"]
    assert attached.id == attached.files[0].id
    assert log_position(app) == position + 2
    assert len(app.get_case(case_id).files_of(doc)) == 2
