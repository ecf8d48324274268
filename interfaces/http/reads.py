"""Reads of secret parts, kept in the read log before the answer leaves."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fastapi import Request

from application.audit.log import AuditEvent
from application.cases.views import secret_parts
from application.fundcase import Fundcase
from application.register.queries import SecretPartsRead
from application.shared.access import Reader
from domain.read_log import SecretPartsShown
from infrastructure.system import System


def log_shown(
    app: Fundcase, reader: Reader, request: Request, shown: Sequence[SecretPartsShown]
) -> None:
    """Keep that the reader was shown these secret parts (nothing if none were)."""
    if not shown or reader.actor is None:
        return
    # The service's own id for the request (the access log has it beside a client's).
    request_id = getattr(request.state, "own_request_id", None)
    logged = app.log_secret_read(shown, request_id, request.url.path, reader.actor)
    if logged.position is not None:
        # Like any write: the read log's next reader (an auditor) sees it at once.
        system: System = request.app.state.system
        system.freshness.wrote(logged.position)


def shown_parts(revealed: Sequence[SecretPartsRead]) -> list[SecretPartsShown]:
    """A list's secret parts shown, as the read log keeps them."""
    return [SecretPartsShown(UUID(r.case_id), r.diary_number, r.parts) for r in revealed]


def log_secret_cases(
    app: Fundcase, reader: Reader, request: Request, items: list[AuditEvent]
) -> None:
    """Log the secret parts of each case whose events these are (as marked now)."""
    shown = []
    for case_id in dict.fromkeys(e.aggregate_id for e in items if e.aggregate_type == "Case"):
        case = app.get_case(case_id)
        fields, documents = secret_parts(case)
        if fields or documents:
            parts = (*sorted(fields), *sorted(documents))
            shown.append(SecretPartsShown(case.id, str(case.diary_number), parts))
    log_shown(app, reader, request, shown)
