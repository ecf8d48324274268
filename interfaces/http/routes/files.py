"""Files of a case's documents: upload, list, download, under the case's secrecy."""

from __future__ import annotations

import base64
import unicodedata
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from application.cases.files import StoredFileMissing
from application.cases.use_cases import FileAttached
from application.cases.views import AttachedFileView
from application.shared.access import Reader
from application.shared.views import View
from domain.case import AttachedFile, Case
from domain.read_log import SecretPartsShown
from infrastructure.system import System
from interfaces.http.auth import Official, SignedIn
from interfaces.http.deps import Answer, App
from interfaces.http.problems import Problem
from interfaces.http.reads import log_shown
from interfaces.http.uploads import UPLOAD_BODY, receive_upload

router = APIRouter(prefix="/cases", tags=["files"])

FILES = "/{case_id}/documents/{document_id}/files"


class DocumentFiles(View):
    items: list[AttachedFileView]


@router.post(
    FILES,
    status_code=201,
    openapi_extra=UPLOAD_BODY,
    responses={
        413: {"description": "A file is over the limit (200 MB each by default); none is kept"}
    },
)
async def attach_file(
    case_id: UUID, document_id: UUID, request: Request, actor: Official, app: App, answer: Answer
) -> FileAttached:
    """Attach a file, or several, to a registered document: streamed to the store,
    hashed (SHA-256), each media type sniffed from the content and refused unless
    archivable. Several files (multipart parts named `file`) are attached all or none:
    one refused keeps none of them; `files` lists each attached, `Location` names the
    first. The same name and content sent again answers the file attached then."""
    system: System = request.app.state.system
    case = await run_in_threadpool(app.get_case, case_id)
    case.check_file_may_be_attached(document_id)  # before receiving a byte
    files = await receive_upload(request, system.files, system.settings.files_max_bytes)
    attached = await run_in_threadpool(
        app.attach_files,
        case_id,
        document_id,
        files,
        system.settings.archivable_media_types,
        actor,
    )
    return answer(attached, f"/api/v1/cases/{case_id}/documents/{document_id}/files/{attached.id}")


@router.get(FILES)
def list_files(
    case_id: UUID, document_id: UUID, reader: SignedIn, app: App, request: Request
) -> DocumentFiles:
    """The document's files. A secret document's are listed only to those who may read
    the case's secret parts (403 to others), and each such read is kept in the read log."""
    case = app.get_case(case_id)
    files = app.files_of_document(case, document_id)
    _may_read(app, case, document_id, reader, request)
    return DocumentFiles(items=files)


@router.get(
    FILES + "/{file_id}",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file's bytes, as attached",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
def download_file(
    case_id: UUID, document_id: UUID, file_id: UUID, reader: SignedIn, app: App, request: Request
) -> StreamingResponse:
    """The file as attached, with its SHA-256 (`Repr-Digest`, `ETag`). A secret
    document's file is served only to those who may read the case's secret parts (403
    to everyone else), and every download of one is kept in the read log."""
    case = app.get_case(case_id)
    file = case.file(file_id)
    if file is None or file.document_id != document_id:
        raise Problem(404, f"The document has no file {file_id}.", kind="not-found")
    _may_read(app, case, document_id, reader, request)
    system: System = request.app.state.system
    try:
        chunks = system.files.read(file.sha256)
    except StoredFileMissing:
        raise Problem(
            500,
            "The file's content is missing from the store; `fundcase files verify` lists it.",
            kind="file-missing",
        ) from None
    return StreamingResponse(chunks, media_type=file.media_type, headers=_headers(file))


def _may_read(app: App, case: Case, document_id: UUID, reader: Reader, request: Request) -> None:
    """A secret document's files go only to readers of the case's secrets, logged."""
    if not case.is_secret(str(document_id)):
        return
    if not reader.may_read_secrets_of(case, app.today()):
        raise Problem(
            403,
            "The document is secret; its files are shown to the case officer's unit, to "
            "those granted access to the case and to auditors.",
            kind="forbidden",
        )
    shown = SecretPartsShown(case.id, str(case.diary_number), (str(document_id),))
    log_shown(app, reader, request, [shown])


def _ascii(name: str) -> str:
    """The name for clients that know no `filename*`: ASCII, without quotes."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c if c.isprintable() and c not in '"\\' else "_" for c in plain) or "file"


def _headers(file: AttachedFile) -> dict[str, str]:
    digest = base64.b64encode(bytes.fromhex(file.sha256)).decode()
    return {
        "Content-Length": str(file.size),
        "Content-Disposition": (
            f'attachment; filename="{_ascii(file.name)}"; '
            f"filename*=UTF-8''{quote(file.name, safe='')}"
        ),
        "ETag": f'"{file.sha256}"',
        "Repr-Digest": f"sha-256=:{digest}:",
        "Cache-Control": "private, no-store",
    }
