"""Files' bytes in the folder store and in the database, with the event log on SQLite
and PostgreSQL: kept once under their hash after the event is saved, never when it is
not, and checked by `fundcase files verify`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from application.cases.files import FileTooLarge, ReceivedFile
from application.decisions.commands import CorrectDecision
from application.fundcase import Fundcase
from application.shared.errors import ConcurrentWrite
from demo.worked_example import OFFICIAL, record_worked_example
from infrastructure.database_files import DatabaseFileStore
from infrastructure.files import ARCHIVABLE, DiskFileStore, KeptFiles
from infrastructure.readmodels import file_chunks, writer
from infrastructure.rendering import to_pdf
from interfaces.cli import cli
from tests.conftest import OpenApp
from tests.service.steps import document, register

PDF = b"%PDF-1.7\n" + "Ansökan från Sámi allaskuvla: Čđŋšŧž".encode() * 50


@pytest.fixture(params=["folder", "database"])
def store(request: pytest.FixtureRequest, tmp_path: Path, engine: Engine) -> KeptFiles:
    if request.param == "database":
        return DatabaseFileStore(engine)
    return DiskFileStore(tmp_path / "files")


def received(store: KeptFiles, content: bytes, chunk: int = 100) -> ReceivedFile:
    receiving = store.receive(limit=10_000_000)
    for start in range(0, len(content), chunk):
        receiving.write(content[start : start + chunk])
    return receiving.finish()


def a_document(app: Fundcase) -> tuple[UUID, UUID]:
    case_id = register(app).id
    return case_id, app.register_document(case_id, document(), OFFICIAL).document_id


def test_a_file_is_kept_once_under_its_hash_once_its_event_is_saved(
    app: Fundcase, store: KeptFiles
) -> None:
    case_id, first = a_document(app)
    second = app.register_document(case_id, document("Kopia"), OFFICIAL).document_id
    one = app.attach_file(case_id, first, "Ansökan.pdf", received(store, PDF), ARCHIVABLE, OFFICIAL)
    other = app.attach_file(
        case_id, second, "Kopia.pdf", received(store, PDF), ARCHIVABLE, OFFICIAL
    )
    assert one.sha256 == other.sha256 == hashlib.sha256(PDF).hexdigest()
    assert one.media_type == "application/pdf"
    assert one.size == len(PDF)
    assert [str(s).rsplit("/", 1)[-1] for s in store.stored()] == [one.sha256]  # kept once
    assert b"".join(store.read(one.sha256)) == PDF
    assert store.received_aside() == []
    case = app.get_case(case_id)
    assert [f.name for f in case.files] == ["Ansökan.pdf", "Kopia.pdf"]


def test_a_file_whose_event_cannot_be_saved_is_not_kept(
    app: Fundcase, store: KeptFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_a_file_attached_where_the_kept_case_was_behind_is_kept_once(
    open_app: OpenApp, store: KeptFiles
) -> None:
    """This process kept the case from its last command; another registered a document
    since. The attach is judged on the case as stored (on PostgreSQL the command runs
    again, docs/adr/0038), and its file is kept, not discarded with the first run."""
    first, second = open_app(), open_app()
    case_id, doc = a_document(first)
    second.register_document(case_id, document("Komplettering"), OFFICIAL)
    attached = first.attach_file(
        case_id, doc, "Ansökan.pdf", received(store, PDF), ARCHIVABLE, OFFICIAL
    )
    assert b"".join(store.read(attached.sha256)) == PDF
    assert store.received_aside() == []
    case = second.get_case(case_id)
    assert [f.name for f in case.files] == ["Ansökan.pdf"]
    assert attached.version == case.version


def test_a_file_attached_again_answers_the_version_the_case_has_now(
    open_app: OpenApp, store: KeptFiles
) -> None:
    """Attaching the same file again records nothing; its answer must still be the
    case's version as stored, which another process has moved on (an If-Match taken
    from it must hold)."""
    first, second = open_app(), open_app()
    case_id, doc = a_document(first)
    first.attach_file(case_id, doc, "Ansökan.pdf", received(store, PDF), ARCHIVABLE, OFFICIAL)
    second.register_document(case_id, document("Komplettering"), OFFICIAL)
    again = first.attach_file(
        case_id, doc, "Ansökan.pdf", received(store, PDF), ARCHIVABLE, OFFICIAL
    )
    assert again.version == second.get_case(case_id).version


def test_a_file_over_the_limit_is_removed_as_it_goes_over(store: KeptFiles) -> None:
    receiving = store.receive(limit=150)
    receiving.write(PDF[:100])
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
    assert "1 uploads received aside are not (yet) kept" in left.output


def test_the_database_store_finds_a_changed_chunk_and_a_missing_file(
    app: Fundcase, engine: Engine
) -> None:
    store = DatabaseFileStore(engine)
    case_id, doc = a_document(app)
    big = PDF * 1000  # over a chunk (1 MiB): kept in two
    kept = app.attach_file(
        case_id, doc, "Stor.pdf", received(store, big, 65536), ARCHIVABLE, OFFICIAL
    )
    assert b"".join(store.read(kept.sha256)) == big
    with writer(engine).begin() as conn:
        conn.execute(
            update(file_chunks)
            .where(file_chunks.c.key == kept.sha256, file_chunks.c.n == 1)
            .values(data=b"altered")
        )
    missing = "0" * 64
    found = {c.sha256: c.state for c in store.verify([kept.sha256, missing])}
    assert found == {kept.sha256: "differs", missing: "missing"}


def test_a_decision_document_is_kept_as_sent_or_not_at_all(
    app: Fundcase, store: KeptFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.document_store, app.print_document = store, to_pdf
    decision_id = record_worked_example(app).decision_id
    [sent] = app.get_decision(decision_id).files
    content = b"".join(store.read(sent.sha256))
    assert content.startswith(b"%PDF")
    assert (len(content), hashlib.sha256(content).hexdigest()) == (sent.size, sent.sha256)
    assert store.received_aside() == []
    kept = list(store.stored())

    def conflict(*_: object) -> None:
        raise ConcurrentWrite

    monkeypatch.setattr(app, "_save_together", conflict)
    with pytest.raises(ConcurrentWrite):
        app.correct_decision(
            decision_id, CorrectDecision(reason="Skrivfel", extract_to=["A"]), OFFICIAL
        )
    assert list(store.stored()) == kept
    assert store.received_aside() == []


def test_files_verify_checks_decision_documents_too(
    app: Fundcase, database_url: str, tmp_path: Path
) -> None:
    store = DiskFileStore(tmp_path / "files")
    app.document_store, app.print_document = store, to_pdf
    decision_id = record_worked_example(app).decision_id
    [sent] = app.get_decision(decision_id).files
    env = {"FUNDCASE_DATABASE_URL": database_url, "FUNDCASE_FILES_DIR": str(store.root)}
    intact = CliRunner().invoke(cli, ["files", "verify"], env=env)
    assert intact.exit_code == 0, intact.output
    assert "1 of 1 stored files intact" in intact.output
    store.path_of(sent.sha256).unlink()
    missing = CliRunner().invoke(cli, ["files", "verify"], env=env)
    assert missing.exit_code == 1
    assert f"missing   {sent.sha256}  {sent.name}" in missing.output
