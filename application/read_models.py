"""Every read model the product keeps, over the live tables readers query."""

from __future__ import annotations

from sqlalchemy import MetaData

from application.audit.projection import AUDIT_DIGEST
from application.audit.reads import READ_LOG
from application.budget.projection import BUDGET
from application.decision_register.projection import DECISION_REGISTER
from application.decisions.documents import DECISION_DOCUMENTS
from application.register.projection import REGISTER
from application.shared.read_model import Projection

LIVE: dict[str, Projection] = {
    p.name: p
    for p in (REGISTER, DECISION_REGISTER, DECISION_DOCUMENTS, BUDGET, AUDIT_DIGEST, READ_LOG)
}
NAMES = tuple(LIVE)
# Every live table: each projection above defines its own on this one metadata.
READ_MODELS: MetaData = REGISTER.metadata


def fresh_copy(name: str, suffix: str, *, rebuilding: bool = False) -> Projection:
    """The projection over tables of its own, e.g. to rebuild beside the live ones
    (`rebuilding`: filled from the whole log, then finished with `finish_rebuild`)."""
    return type(LIVE[name])(MetaData(), suffix, rebuilding=rebuilding)
