"""Files' bytes in the folder store, with the event log on SQLite and PostgreSQL: kept
once under their hash after the event is saved, never when it is not, and checked by
`fundcase files verify`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from application.cases.files import FileTooLarge
from application.fundcase import Fundcase
from application.shared.errors import ConcurrentWrite
from demo.worked_example import OFFICIAL
from infrastructure.files import ARCHIVABLE, DiskFileStore, DiskReceived
from interfaces.cli import cli
from tests.service.steps import document, register

PDF = b"%PDF-1.7\n" + "Ansökan från Sámi allaskuvla: Čđŋšŧž".encode() * 50


def received(store: DiskFileStore, content: bytes, chunk: int = 100) -> DiskReceived:
    receiving = store.receive(limit=10_000)
    for start in range(0, len(content), chunk):
        receiving.write(content[start : start + chunk])
    return receiving.finish()


def a_document(app: Fundcase) -> tuple[UUID, UUID]:
    case_id = register(app).id
    return case_id, app.register_document(case_id, document(), OFFICIAL).document_id


def test_a_file_is_kept_once_under_its_hash_once_its_event_is_saved(
    app: Fundcase, tmp_path: Path
) -> None:
    store = DiskFileStore(tmp_path / "files")
    case_id, first = a_document(app)
    second = app.register_document(case_id, document("Kopia"), OFFICIAL).document_id
    one = app.attach_file(case_id, first, "Ansökan.pdf", received(store, PDF), ARCHIVABLE, OFFICIAL)
    other = app.attach_file(
        case_id, second, "Kopia.pdf", received(store, PDF), ARCHIVABLE, OFFICIAL
    )
    assert one.sha256 == other.sha256 == hashlib.sha256(PDF).hexdigest()
    assert one.media_type == "application/pdf"
    assert one.size == len(PDF)
    assert store.stored() == [store.path_of(one.sha256)]  # the same bytes, kept once
    assert b"".join(store.read(one.sha256)) == PDF
    assert store.received_aside() == []
    case = app.get_case(case_id)
    assert [f.name for f in case.files] == ["Ansökan.pdf", "Kopia.pdf"]


def test_a_file_whose_event_cannot_be_saved_is_not_kept(
    app: Fundcase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskFileStore(tmp_path / "files")
    case_id, doc = a_document(app)
    head = app.log_head()

    def conflict(*_: object) -> None:
        raise ConcurrentWrite

    monkeypatch.setattr(app, "_save_together", conflict)
    with pytest.raises(ConcurrentWrite):
        app.attach_file(case_id, doc, "Ansökan.pdf", received(store, PDF), ARCHIVABLE, OFFICIAL)
    assert app.log_head() == head
    assert store.stored() == []
    assert store.received_aside() == []


def test_a_file_over_the_limit_is_removed_as_it_goes_over(tmp_path: Path) -> None:
    store = DiskFileStore(tmp_path / "files")
    receiving = store.receive(limit=150)
    receiving.write(PDF[:100])
    assert len(store.received_aside()) == 1
    with pytest.raises(FileTooLarge):
        receiving.write(PDF[100:200])
    assert store.received_aside() == []


def test_files_verify_reports_files_that_differ_or_are_missing(
    app: Fundcase, database_url: str, tmp_path: Path
) -> None:
    store = DiskFileStore(tmp_path / "files")
    case_id, doc = a_document(app)
    contents = [PDF + bytes([n]) for n in range(3)]
    attached = [
        app.attach_file(case_id, doc, f"Bilaga {n}.pdf", received(store, c), ARCHIVABLE, OFFICIAL)
        for n, c in enumerate(contents)
    ]
    env = {"FUNDCASE_DATABASE_URL": database_url, "FUNDCASE_FILES_DIR": str(store.root)}
    intact = CliRunner().invoke(cli, ["files", "verify"], env=env)
    assert intact.exit_code == 0, intact.output
    assert "3 of 3 stored files intact" in intact.output
    store.path_of(attached[0].sha256).write_bytes(PDF + b"altered")
    store.path_of(attached[1].sha256).unlink()
    broken = CliRunner().invoke(cli, ["files", "verify"], env=env)
    assert broken.exit_code == 1
    assert f"differs   {attached[0].sha256}  Bilaga 0.pdf" in broken.output
    assert f"missing   {attached[1].sha256}  Bilaga 1.pdf" in broken.output
    assert "1 of 3 stored files intact; 2 differ or are missing" in broken.output
    store.receive(limit=100).write(b"%PDF")  # a process stopped while receiving this
    left = CliRunner().invoke(cli, ["files", "verify"], env=env)
    assert "1 uploads in" in left.output
