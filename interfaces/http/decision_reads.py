"""A decision and its document as one reader may see them: the case's title and secret
documents of the basis masked for a reader without access, shown (and kept in the read
log) for one with it; a kept PDF served as it was sent only when nothing is masked.
The API's routes and the staff pages answer through these, so both mask alike."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from uuid import UUID

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from application.cases.files import StoredFileMissing
from application.decisions.documents import DecisionDocument
from application.decisions.views import DecisionView
from application.fundcase import Fundcase
from application.shared.access import MASKED, Reader
from domain.decision import DecisionFile, DelegationDecision
from domain.read_log import SecretPartsShown
from infrastructure.rendering import to_pdf
from infrastructure.system import System
from interfaces.http.problems import Problem
from interfaces.http.reads import log_shown


def decision_as_read(
    app: Fundcase, reader: Reader, request: Request, decision: DelegationDecision
) -> DecisionView:
    """The decision's view, its case's title and secret basis documents masked for a
    reader who may not read the case's secret parts."""
    view = DecisionView.of(decision)
    documents = {str(d.document_id): d.line for d in decision.wording.documents}
    masked = _masked_for(app, reader, request, decision.case_id, documents)
    if not masked:
        return view
    basis = _masked_basis(view.basis, documents, masked)
    title = MASKED if "title" in masked else view.case_title
    return view.model_copy(update={"case_title": title, "basis": basis})


def document_as_read(
    app: Fundcase,
    reader: Reader,
    request: Request,
    decision: DelegationDecision,
    document: DecisionDocument,
) -> tuple[DecisionDocument, bool]:
    """The decision document as this reader may see it, and whether anything is masked."""
    masked = _masked_for(app, reader, request, decision.case_id, document.basis_documents)
    if not masked:
        return document, False
    shown = dataclasses.replace(
        document,
        title=MASKED if "title" in masked else document.title,
        basis=_masked_basis(document.basis, document.basis_documents, masked),
    )
    return shown, True


def document_pdf(
    request: Request,
    decision: DelegationDecision,
    document: DecisionDocument,
    masked: bool,
    headers: dict[str, str],
) -> Response:
    """The document as PDF: the version kept as it was sent when nothing is masked,
    otherwise (or for versions made before documents were kept) printed now."""
    name = document.diary_number.replace("/", "-")
    headers["Content-Disposition"] = f'inline; filename="{name}-v{document.version}.pdf"'
    stored = decision.file_of(document.version)
    if stored is not None and not masked:
        return _stored(request, stored, headers)
    return Response(to_pdf(document), media_type="application/pdf", headers=headers)


def _masked_for(
    app: Fundcase, reader: Reader, request: Request, case_id: UUID, documents: Iterable[str]
) -> tuple[str, ...]:
    """The decision's secret parts this reader may not see: the case's title if marked
    secret, the title of every document in its basis that is secret. Those the reader
    may see are shown and the read kept in the read log."""
    case = app.get_case(case_id)
    secret = [d for d in documents if case.is_secret(d)]
    if "title" in case.secret_fields:
        secret.insert(0, "title")
    if not secret:
        return ()
    if not reader.may_read_secrets_of(case, app.today()):
        return tuple(secret)
    shown = SecretPartsShown(case.id, str(case.diary_number), tuple(secret))
    log_shown(app, reader, request, [shown])
    return ()


def _masked_basis(
    basis: Sequence[str], documents: Mapping[str, int], masked: Collection[str]
) -> list[str]:
    """The basis with each masked document's title masked; its number stays."""
    lines = list(basis)
    for document_id, line in documents.items():
        if document_id in masked and line < len(lines):
            lines[line] = f"{lines[line].split(' ', 1)[0]} {MASKED}"
    return lines


def _stored(request: Request, stored: DecisionFile, headers: dict[str, str]) -> Response:
    """The document as it was sent, from the file store: byte for byte, with its hash."""
    system: System = request.app.state.system
    try:
        chunks = system.files.read(stored.sha256)
    except StoredFileMissing:
        raise Problem(
            500,
            "The document's file is missing from the store; `fundcase files verify` lists it.",
            kind="file-missing",
        ) from None
    digest = base64.b64encode(bytes.fromhex(stored.sha256)).decode()
    headers |= {"Content-Length": str(stored.size), "Repr-Digest": f"sha-256=:{digest}:"}
    return StreamingResponse(chunks, media_type=stored.media_type, headers=headers)
