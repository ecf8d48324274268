"""Every projection the product keeps, and the live tables readers query."""

from __future__ import annotations

from sqlalchemy import MetaData

from application.projections.base import Projection
from application.projections.budget import BudgetProjection
from application.projections.decisions import DecisionRegisterProjection
from application.projections.digest import DigestProjection
from application.projections.documents import DecisionDocumentProjection
from application.projections.register import RegisterProjection

PROJECTIONS: tuple[type[Projection], ...] = (
    RegisterProjection,
    DecisionRegisterProjection,
    DecisionDocumentProjection,
    BudgetProjection,
    DigestProjection,
)
NAMES = tuple(p.name for p in PROJECTIONS)

READ_MODELS = MetaData()

REGISTER = RegisterProjection(READ_MODELS)
DECISION_REGISTER = DecisionRegisterProjection(READ_MODELS)
DECISION_DOCUMENTS = DecisionDocumentProjection(READ_MODELS)
BUDGET = BudgetProjection(READ_MODELS)
DIGEST = DigestProjection(READ_MODELS)
LIVE: dict[str, Projection] = {
    p.name: p for p in (REGISTER, DECISION_REGISTER, DECISION_DOCUMENTS, BUDGET, DIGEST)
}


def fresh_copy(name: str, suffix: str) -> Projection:
    """The projection over tables of its own, e.g. to rebuild beside the live ones."""
    projection_class = next(p for p in PROJECTIONS if p.name == name)
    return projection_class(MetaData(), suffix)
