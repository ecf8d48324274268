"""How domain values are stored in events (the library knows only UUID, Decimal, datetime)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.budget import BudgetAreaShare, YearShare
from domain.case import (
    AccessGrant,
    AttachedFile,
    CaseStatus,
    Direction,
    Document,
    SecrecyMarking,
)
from domain.commitment import CommitmentKind, CommitmentState, Payment, Reclaim, Usage
from domain.decision import (
    BasisDocument,
    CommitteeReport,
    DecisionFile,
    DecisionMaker,
    DecisionText,
    DelegationReference,
)
from domain.delegation import Provision, ProvisionChange
from domain.read_log import SecretPartsShown
from domain.staff import StaffMember, TitleHeld
from domain.values import (
    Actor,
    Applicant,
    CaseOfficer,
    DiaryNumber,
    ImportSource,
    Money,
    OrganisationNumber,
    Period,
    Project,
    Role,
)


class DateAsISO(Transcoding):
    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class MoneyAsStr(Transcoding):
    type = Money
    name = "Money"

    def encode(self, obj: Money) -> str:
        return str(obj.amount)

    def decode(self, data: str) -> Money:
        return Money(Decimal(data))


class EnumAsValue(Transcoding):
    def __init__(self, enum_class: type[StrEnum]) -> None:
        self.type = enum_class
        self.name = enum_class.__name__

    def encode(self, obj: StrEnum) -> str:
        return obj.value

    def decode(self, data: str) -> StrEnum:
        enum_class: type[StrEnum] = self.type
        return enum_class(data)


class DataclassAsDict(Transcoding):
    """A frozen dataclass as a dict of its fields; nested values use their own transcodings.

    Decoding calls the plain constructor: stored values were checked when recorded,
    and a rule tightened later must not make history unreadable.
    """

    def __init__(
        self,
        value_class: type[Any],
        omitted_when_none: frozenset[str] = frozenset(),
        omitted_when_empty: frozenset[str] = frozenset(),
    ):
        self.type = value_class
        self.name = value_class.__name__
        # Fields added later with the default None (or an empty tuple): stored only when
        # they hold a value, so the events recorded without them keep their bytes
        # (docs/adr/0018, 0019).
        self.omitted_when_none = omitted_when_none
        self.omitted_when_empty = omitted_when_empty
        # A StrEnum is a str to the JSON encoder, so it comes back as its value.
        self.enum_fields = {
            name: hint
            for name, hint in typing.get_type_hints(value_class).items()
            if isinstance(hint, type) and issubclass(hint, StrEnum)
        }
        # The fields' names, looked up once (dataclasses.fields() is slow on every call).
        self.field_names = tuple(f.name for f in dataclasses.fields(value_class))

    def encode(self, obj: Any) -> dict[str, Any]:
        names = (
            self.field_names
            if type(obj) is self.type
            else tuple(f.name for f in dataclasses.fields(obj))
        )
        omitted = self.omitted_when_none
        return {
            name: value
            for name in names
            if not (
                ((value := getattr(obj, name)) is None and name in omitted)
                or (value == () and name in self.omitted_when_empty)
            )
        }

    def decode(self, data: dict[str, Any]) -> Any:
        values = {}
        for name, value in data.items():
            if isinstance(value, list):  # JSON has no tuples; value objects keep tuples
                value = tuple(value)
            elif name in self.enum_fields and value is not None:
                value = self.enum_fields[name](value)
            values[name] = value
        return self.type(**values)


VALUE_CLASSES: tuple[type[Any], ...] = (
    AccessGrant,
    Applicant,
    AttachedFile,
    BasisDocument,
    BudgetAreaShare,
    CaseOfficer,
    CommitteeReport,
    DecisionFile,
    DecisionMaker,
    DelegationReference,
    DiaryNumber,
    Document,
    ImportSource,
    OrganisationNumber,
    Period,
    Project,
    Provision,
    ProvisionChange,
    SecrecyMarking,
    SecretPartsShown,
    StaffMember,
    TitleHeld,
    Usage,
    Payment,
    Reclaim,
    YearShare,
)

ENUM_CLASSES: tuple[type[StrEnum], ...] = (
    CaseStatus,
    CommitmentKind,
    CommitmentState,
    Direction,
    Role,
)


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    transcoder.register(MoneyAsStr())
    for enum_class in ENUM_CLASSES:
        transcoder.register(EnumAsValue(enum_class))
    for value_class in VALUE_CLASSES:
        transcoder.register(DataclassAsDict(value_class))
    # Which basis lines are registered documents: only in decisions whose basis names one.
    transcoder.register(DataclassAsDict(DecisionText, omitted_when_empty=frozenset({"documents"})))
    transcoder.register(DataclassAsDict(Actor, omitted_when_none=frozenset({"imported"})))
