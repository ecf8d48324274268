"""Documents with their files, as a registrar meets them: numbered within the case,
uploaded and read back byte for byte, kept once, refused when they should be, never
half-kept, and as secret as their document."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import quote

import pytest

from domain.values import Role
from infrastructure.system import System
from interfaces.http.uploads import MAX_FILES
from tests.e2e import bodies
from tests.e2e.bodies import ADMIN, AUDITOR, FINANCE, OFFICIAL
from tests.e2e.conftest import FILES_MAX_BYTES, Service

UNIT = "Näringsliv och samhällsbyggnad"
PDF = b"%PDF-1.7\n1 0 obj\n<</Type/Catalog>>\nendobj\n" + "Ansökan åäö ŋ ł".encode() * 100
SECRET_GROUND = {"ground": "OSL 31 kap. 16 §"}


def new_case(service: Service) -> dict[str, Any]:
    response = service.post("/cases", bodies.case(), OFFICIAL)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def new_document(service: Service, case_id: str, **changes: Any) -> dict[str, Any]:
    body = {"title": "Ansökan", "direction": "incoming", "date": "2021-12-08", **changes}
    response = service.post(f"/cases/{case_id}/documents", body, OFFICIAL)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def upload(
    service: Service, case_id: str, document_id: str, content: bytes, name: str = "Ansökan.pdf"
) -> Any:
    """A raw body, named by Content-Disposition (RFC 6266, letters beyond ASCII encoded)."""
    return service.client.post(
        f"/api/v1/cases/{case_id}/documents/{document_id}/files",
        content=content,
        headers={
            **service.auth(OFFICIAL),
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        },
    )


def store(service: Service) -> tuple[list[object], list[object]]:
    """What the file store holds: kept files, and uploads received aside."""
    system: System = service.api.state.system
    return list(system.files.stored()), list(system.files.received_aside())


def test_documents_are_numbered_within_their_case_everywhere_they_are_shown(
    service: Service,
) -> None:
    case = new_case(service)
    answers = [new_document(service, case["id"], title=f"Handling {n}") for n in range(3)]
    number = case["diary_number"]
    assert [(a["number"], a["reference"]) for a in answers] == [
        (1, f"{number}-1"),
        (2, f"{number}-2"),
        (3, f"{number}-3"),
    ]
    shown = service.get(f"/cases/{case['id']}", OFFICIAL).json()["documents"]
    assert [(d["title"], d["reference"]) for d in shown] == [
        ("Handling 0", f"{number}-1"),
        ("Handling 1", f"{number}-2"),
        ("Handling 2", f"{number}-3"),
    ]
    for register in ("/register", "/public/register"):
        roles = (OFFICIAL,) if register == "/register" else ()
        [entry] = service.get(register, *roles, diary_number=number).json()["items"]
        assert sorted(d["reference"] for d in entry["documents"]) == [
            f"{number}-1",
            f"{number}-2",
            f"{number}-3",
        ]


def test_a_file_uploaded_is_read_back_byte_for_byte_with_its_hash(service: Service) -> None:
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    response = upload(service, case["id"], doc, PDF, name="Ansökan från SVID.pdf")
    assert response.status_code == 201, response.text
    attached = response.json()
    assert attached["name"] == "Ansökan från SVID.pdf"
    assert attached["media_type"] == "application/pdf"  # sniffed: none was sent
    assert attached["size"] == len(PDF)
    assert attached["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert response.headers["Location"].endswith(attached["id"])
    files = service.get(f"/cases/{case['id']}/documents/{doc}/files", FINANCE).json()["items"]
    assert [f["id"] for f in files] == [attached["id"]]
    download = service.client.get(response.headers["Location"], headers=service.auth(FINANCE))
    assert download.status_code == 200
    assert download.content == PDF
    assert hashlib.sha256(download.content).hexdigest() == attached["sha256"]
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["etag"] == f'"{attached["sha256"]}"'
    assert "Ans%C3%B6kan" in download.headers["content-disposition"]
    # The event that attached it records the hash, so the audit digest covers the content.
    history = service.get(f"/audit/aggregates/{case['id']}/history", AUDITOR).json()["items"]
    assert history[-1]["data"]["file"]["sha256"] == attached["sha256"]


def test_a_multipart_upload_is_kept_as_a_raw_one(service: Service) -> None:
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    response = service.client.post(
        f"/api/v1/cases/{case['id']}/documents/{doc}/files",
        files={"file": ("Budget.txt", b"Budget 2022: 150 000 kr\n")},
        headers=service.auth(OFFICIAL),
    )
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == "text/plain"
    download = service.client.get(response.headers["Location"], headers=service.auth(OFFICIAL))
    assert download.content == b"Budget 2022: 150 000 kr\n"


def test_the_same_file_twice_is_kept_once(service: Service) -> None:
    content = PDF + b"kept once"
    case = new_case(service)
    first, second = (new_document(service, case["id"])["document_id"] for _ in range(2))
    one = upload(service, case["id"], first, content).json()
    other = upload(service, case["id"], second, content, name="Kopia.pdf").json()
    again = upload(service, case["id"], first, content).json()
    assert one["id"] != other["id"]
    assert one["sha256"] == other["sha256"]
    assert again["id"] == one["id"]  # the same name and content again: the file attached then
    kept, aside = store(service)
    assert [str(p).rsplit("/", 1)[-1] for p in kept].count(one["sha256"]) == 1
    assert aside == []


def test_bad_uploads_are_refused_and_leave_nothing_behind(service: Service) -> None:
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    kept_before, _ = store(service)
    head = service.head()
    refusals = {
        "too large": (upload(service, case["id"], doc, b"%PDF" + bytes(FILES_MAX_BYTES)), 413),
        "empty": (upload(service, case["id"], doc, b""), 422),
        "executable": (upload(service, case["id"], doc, b"MZ\x90\x00" + bytes(200)), 422),
        "script": (upload(service, case["id"], doc, b"#!/bin/sh\nrm -rf /\n"), 422),
        "path": (upload(service, case["id"], doc, PDF, name="../../etc/passwd"), 422),
        "control": (upload(service, case["id"], doc, PDF, name="a\x07b.pdf"), 422),
        "unknown case": (upload(service, doc, doc, PDF), 404),
        "unknown document": (upload(service, case["id"], case["id"], PDF), 409),
    }
    for what, (response, status) in refusals.items():
        assert response.status_code == status, (what, response.text)
        assert response.headers["content-type"] == "application/problem+json", what
    rules = {what: r.json().get("rule") for what, (r, _) in refusals.items()}
    assert rules["empty"] == "FileMustNotBeEmpty"
    assert rules["executable"] == rules["script"] == "MediaTypeMustBeAllowedForArchiving"
    assert rules["path"] == rules["control"] == "FileNameMustBeAPlainName"
    assert rules["unknown document"] == "DocumentMustBeRegisteredInTheCase"
    unnamed = service.client.post(
        f"/api/v1/cases/{case['id']}/documents/{doc}/files",
        content=PDF,
        headers=service.auth(OFFICIAL),
    )
    assert unnamed.status_code == 422
    assert service.head() == head
    assert store(service) == (kept_before, [])


def test_a_closed_case_takes_no_files(service: Service) -> None:
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    for status in ("under_review", "rejected", "closed"):
        assert service.post(f"/cases/{case['id']}/status", {"status": status}, OFFICIAL).is_success
    refused = upload(service, case["id"], doc, PDF)
    assert refused.status_code == 409
    assert refused.json()["rule"] == "ClosedCaseMustNotChange"


@pytest.mark.parametrize("kind", ["raw", "multipart"])
def test_an_upload_cut_off_midway_leaves_nothing_behind(service: Service, kind: str) -> None:
    """The client sends half the file and goes away: nothing is recorded or kept."""
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    head = service.head()
    kept_before, _ = store(service)
    path = f"/api/v1/cases/{case['id']}/documents/{doc}/files"
    start = b""
    headers = {
        **service.auth(OFFICIAL),
        "Content-Type": "application/pdf",
        "Content-Length": str(len(PDF)),
        "Content-Disposition": 'attachment; filename="Ansokan.pdf"',
    }
    if kind == "multipart":
        start = (
            b'--cut\r\nContent-Disposition: form-data; name="file"; filename="Ansokan.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n"
        )
        headers["Content-Type"] = "multipart/form-data; boundary=cut"
        headers["Content-Length"] = str(len(start + PDF) + 10)
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": start + PDF[:1000], "more_body": True},
        {"type": "http.request", "body": PDF[1000:2000], "more_body": True},
        {"type": "http.disconnect"},
    ]
    seen_aside: list[int] = []

    async def receive() -> dict[str, Any]:
        seen_aside.append(len(store(service)[1]))  # the part received is aside until then
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    sent: list[dict[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
        "app": service.api,
    }
    asyncio.run(service.api(scope, receive, send))
    assert sent[0]["status"] == 400  # if the client still listens, it is told
    system: System = service.api.state.system
    # The folder holds what was received so far; the database gathers a chunk first.
    assert max(seen_aside) == (0 if system.settings.files_store == "database" else 1)
    assert service.head() == head
    assert store(service) == (kept_before, [])


def test_a_secret_documents_files_are_for_those_who_may_read_the_case_and_logged(
    service: Service,
) -> None:
    case = new_case(service)
    secret = new_document(service, case["id"], secret=SECRET_GROUND)["document_id"]
    public = new_document(service, case["id"], title="Kungörelse")["document_id"]
    attached = upload(service, case["id"], secret, PDF + b"secret").json()
    open_file = upload(service, case["id"], public, PDF + b"open").json()
    files = f"/cases/{case['id']}/documents/{secret}/files"
    download = f"{files}/{attached['id']}"

    def as_(path: str, *roles: Role, **who: Any) -> Any:
        return service.client.get(f"/api/v1{path}", headers=service.auth(*roles, **who))

    # The public has no way to files at all; staff outside the case are refused.
    assert service.client.get(f"/api/v1{download}").status_code == 401
    for roles, unit in (((OFFICIAL,), "Ekonomi"), ((FINANCE,), None), ((ADMIN,), None)):
        for path in (files, download):
            refused = as_(path, *roles, name="Eva Ek", unit=unit)
            assert refused.status_code == 403, (roles, path)
            assert refused.json()["type"] == "urn:fundcase:problem:forbidden"
            assert PDF[:20] not in refused.content
    # A document that is not secret is read by anyone signed in, and not logged.
    other = f"/cases/{case['id']}/documents/{public}/files/{open_file['id']}"
    assert as_(other, FINANCE, name="Eva Ek").content == PDF + b"open"
    # The case officer's unit and auditors read it, and every download is logged.
    assert as_(download, OFFICIAL, name="Per Kollega", unit=UNIT).content == PDF + b"secret"
    assert as_(download, AUDITOR, name="Revisor Rut").content == PDF + b"secret"
    assert as_(files, OFFICIAL, name="Per Kollega", unit=UNIT).status_code == 200
    reads = service.get("/audit/reads", AUDITOR, record_id=case["id"]).json()["items"]
    downloads = [(r["actor_id"], r["path"]) for r in reads if r["path"].endswith(attached["id"])]
    assert downloads == [
        ("per.kollega", f"/api/v1{download}"),
        ("revisor.rut", f"/api/v1{download}"),
    ]
    assert all(r["parts"] == [secret] for r in reads)


def test_a_multipart_body_that_ends_inside_a_file_keeps_nothing(service: Service) -> None:
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    kept_before, _ = store(service)
    head = service.head()
    start = b'--cut\r\nContent-Disposition: form-data; name="file"; filename="A.pdf"\r\n\r\n'
    second = start.replace(b"A.pdf", b"B.pdf")
    whole_then_cut = start + PDF + b"ended" + b"\r\n" + second + PDF[:500]
    for body in (start + PDF, whole_then_cut):
        response = service.client.post(
            f"/api/v1/cases/{case['id']}/documents/{doc}/files",
            content=body,
            headers={**service.auth(OFFICIAL), "Content-Type": "multipart/form-data; boundary=cut"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["rule"] == "MultipartBodyMustHoldWholeFiles"
    assert service.head() == head
    assert store(service) == (kept_before, [])


def several(service: Service, case_id: str, document_id: str, *files: tuple[str, bytes]) -> Any:
    """One multipart upload with a part named `file` for each file."""
    return service.client.post(
        f"/api/v1/cases/{case_id}/documents/{document_id}/files",
        files=[("file", (name, content)) for name, content in files],
        data={"note": "ignored"},
        headers=service.auth(OFFICIAL),
    )


EXE = b"MZ\x90\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_several_files_in_one_upload_are_each_attached_and_listed(service: Service) -> None:
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    sent = [
        ("Ansökan.pdf", PDF + b"several"),
        ("Budget.txt", "Budget 2022: 150 000 kr, Sámi ŋ\n".encode()),
        ("Karta.png", PNG),
    ]
    head = service.head()
    response = several(service, case["id"], doc, *sent)
    assert response.status_code == 201, response.text
    answer = response.json()
    files = answer["files"]
    assert [(f["name"], f["media_type"]) for f in files] == [
        ("Ansökan.pdf", "application/pdf"),
        ("Budget.txt", "text/plain"),
        ("Karta.png", "image/png"),
    ]
    assert answer["id"] == files[0]["id"]
    assert response.headers["Location"].endswith(files[0]["id"])
    for file, (_, content) in zip(files, sent, strict=True):
        assert file["sha256"] == hashlib.sha256(content).hexdigest()
        assert file["size"] == len(content)
        path = f"/api/v1/cases/{case['id']}/documents/{doc}/files/{file['id']}"
        assert service.client.get(path, headers=service.auth(FINANCE)).content == content
    listed = service.get(f"/cases/{case['id']}/documents/{doc}/files", FINANCE).json()["items"]
    assert [f["id"] for f in listed] == [f["id"] for f in files]
    # One write: the three events are saved together, and nothing waits aside.
    history = service.get(f"/audit/aggregates/{case['id']}/history", AUDITOR).json()["items"]
    assert [e["data"]["file"]["name"] for e in history[-3:]] == [n for n, _ in sent]
    assert service.head() == head + 3
    assert store(service)[1] == []


@pytest.mark.parametrize(
    ("second", "status", "rule", "field"),
    [
        (("Tom.pdf", b""), 422, "FileMustNotBeEmpty", "files[1].file"),
        (
            ("Program.exe", b"MZ\x90\x00" + b"\x00" * 200),
            422,
            "MediaTypeMustBeAllowedForArchiving",
            "files[1].file",
        ),
        (("../Ansökan.pdf", PDF), 422, "FileNameMustBeAPlainName", "name"),
        (("Stor.pdf", PDF + b"x" * FILES_MAX_BYTES), 413, None, None),
    ],
    ids=["empty", "executable", "path in the name", "too large"],
)
def test_one_file_refused_keeps_none_of_the_upload(
    service: Service, second: tuple[str, bytes], status: int, rule: str | None, field: str | None
) -> None:
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    first = ("Ansökan.pdf", PDF + b"first of two " + second[0].encode())
    kept_before, _ = store(service)
    head = service.head()
    response = several(service, case["id"], doc, first, second, ("Sist.txt", b"last\n"))
    assert response.status_code == status, response.text
    if rule is not None:
        assert response.json()["rule"] == rule
        assert response.json()["errors"][0]["field"] == field
    assert service.head() == head
    assert store(service) == (kept_before, [])
    assert service.get(f"/cases/{case['id']}/documents/{doc}/files", OFFICIAL).json() == {
        "items": []
    }


def test_more_files_than_one_upload_may_hold_are_refused(service: Service) -> None:
    case = new_case(service)
    doc = new_document(service, case["id"])["document_id"]
    kept_before, _ = store(service)
    files = [(f"Bilaga {n}.txt", f"Bilaga {n}\n".encode()) for n in range(MAX_FILES + 1)]
    response = several(service, case["id"], doc, *files)
    assert response.status_code == 422, response.text
    assert response.json()["rule"] == "UploadMustHoldAtMostTheFilesAllowed"
    assert store(service) == (kept_before, [])
