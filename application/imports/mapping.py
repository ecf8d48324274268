"""A mapping file (TOML) read into the import's mapping, or refused with the reason."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from pydantic import ValidationError

from application.imports.commands import ImportMapping
from domain.rules import InputRule, check


@dataclass(frozen=True)
class MappingMustBeReadable(InputRule):
    reason: str | None

    def is_broken(self) -> bool:
        return self.reason is not None

    def message(self) -> str:
        return (
            f"the mapping cannot be read: {self.reason}; it is TOML with the tables "
            "[columns], [defaults] and [statuses] and a list ignore = [...]"
        )

    def in_swedish(self) -> str:
        return (
            f"mappningen kan inte läsas: {self.reason}; den är TOML med tabellerna "
            "[columns], [defaults] och [statuses] och en lista ignore = [...]"
        )


def read_mapping(text: str) -> ImportMapping:
    """The mapping written in `text`, e.g.

    ignore = ["Kommentar"]
    [columns]
    case_officer = "Ansvarig"
    [defaults]
    register_prefix = "RUN"
    [statuses]
    "Avslutad" = ["under_review", "granted", "closed"]
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        check(MappingMustBeReadable(str(error)), "mapping")
        raise
    try:
        return ImportMapping.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        check(MappingMustBeReadable(f"{where}: {first['msg']}"), "mapping")
        raise
