"""The delegation decision as a document (model of seed 003), one version per correction."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class DecisionDocument:
    """Everything the document says, in the order and words of a diary-style decision."""

    decision_id: str
    version: int
    unit: str
    case_officer: str
    decided_on: str
    diary_number: str
    title: str
    description: str
    basis: list[str]
    delegation: str
    points: list[str]
    commitments: list[str]
    signer_name: str
    signer_title: str
    reported_to: str | None
    extract_to: list[str]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, data: str) -> DecisionDocument:
        return cls(**json.loads(data))
