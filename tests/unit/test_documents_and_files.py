"""Documents are numbered within their case; files are attached to them by hash."""

from __future__ import annotations

import hashlib
from datetime import date
from uuid import uuid4

from application.shared.snapshots import replay
from domain.case import AttachedFile, Case, Direction, Document
from tests.unit.builders import OFFICIAL, case, refused, settled

PDF = hashlib.sha256(b"%PDF-1.7").hexdigest()


def document(title: str = "Ansökan") -> Document:
    return Document(uuid4(), title, Direction.INCOMING, date(2021, 12, 8), "SVID")


def pdf(document_id: object, name: str = "Ansökan.pdf", **changes: object) -> AttachedFile:
    fields: dict[str, object] = {
        "id": uuid4(),
        "document_id": document_id,
        "name": name,
        "media_type": "application/pdf",
        "size": 8,
        "sha256": PDF,
    }
    fields.update(changes)
    return AttachedFile(**fields)  # type: ignore[arg-type]


def test_documents_are_numbered_one_two_three_and_the_events_record_it() -> None:
    registered = settled(case())
    documents = [document(t) for t in ("Ansökan", "Komplettering", "Yttrande")]
    for doc in documents:
        registered.register_document(doc, None, OFFICIAL)
    events = registered.collect_events()
    assert [e.number for e in events if isinstance(e, Case.DocumentRegistered)] == [1, 2, 3]
    assert [registered.document_number(d.id) for d in documents] == [1, 2, 3]
    assert registered.document_reference(documents[2].id) == "RUN/664/2021-3"


def test_documents_registered_before_numbers_are_numbered_in_the_order_registered() -> None:
    """An event recorded before numbers has none; replaying numbers it by its place,
    and the next document continues the series."""
    registered = case(pending=True)
    old = [document("Ansökan"), document("Komplettering")]
    for doc in old:
        registered._document_registered(doc, OFFICIAL)  # as recorded then: no number
    new = document("Yttrande")
    registered.register_document(new, None, OFFICIAL)
    events = registered.collect_events()
    assert [getattr(e, "number", "-") for e in events[1:]] == [None, None, 3]
    replayed = replay(None, events)
    assert isinstance(replayed, Case)
    assert [replayed.document_number(d.id) for d in [*old, new]] == [1, 2, 3]


def test_a_file_is_attached_to_a_registered_document() -> None:
    registered = case()
    doc = document()
    registered.register_document(doc, None, OFFICIAL)
    file = pdf(doc.id)
    settled(registered)
    registered.attach_file(file, {"application/pdf"}, OFFICIAL)
    [event] = registered.collect_events()
    assert isinstance(event, Case.FileAttached)
    assert event.file == file  # name, media type, size and hash are recorded
    assert registered.files_of(doc.id) == [file]
    assert registered.attached(doc.id, "Ansökan.pdf", PDF) == file


def test_a_file_needs_a_registered_document_a_plain_name_content_and_an_archivable_type() -> None:
    registered = case()
    doc = document()
    registered.register_document(doc, None, OFFICIAL)
    settled(registered)
    allowed = {"application/pdf"}
    with refused("DocumentMustBeRegisteredInTheCase", registered):
        registered.attach_file(pdf(uuid4()), allowed, OFFICIAL)
    for name in ("../etc/passwd", "C:\\temp\\a.pdf", "a\x00.pdf", "rad\nbrytning.pdf", ".."):
        with refused("FileNameMustBeAPlainName", registered):
            registered.attach_file(pdf(doc.id, name), allowed, OFFICIAL)
    with refused("FileMustNotBeEmpty", registered):
        registered.attach_file(pdf(doc.id, size=0), allowed, OFFICIAL)
    with refused("MediaTypeMustBeAllowedForArchiving", registered) as refusal:
        registered.attach_file(
            pdf(doc.id, media_type="application/x-msdownload"), allowed, OFFICIAL
        )
    assert "application/x-msdownload" in refusal.value.message
    with refused("HashMustBeSha256", registered):
        registered.attach_file(pdf(doc.id, sha256="abc"), allowed, OFFICIAL)
