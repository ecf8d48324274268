"""The rules a file to import must keep before any of its rows is read."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from domain.rules import InputRule, quoted


@dataclass(frozen=True)
class ImportFileMustNotExceedSizeLimit(InputRule):
    size: int
    limit: int

    def is_broken(self) -> bool:
        return self.size > self.limit

    def message(self) -> str:
        return (
            f"the file has {self.size:,} bytes; at most {self.limit:,} are imported at once "
            "— split it (the rows already imported are skipped when a part is run again)"
        ).replace(",", " ")

    def in_swedish(self) -> str:
        return (
            f"filen har {self.size:,} byte; högst {self.limit:,} byte importeras åt gången "
            "— dela upp den (rader som redan är importerade hoppas över när en del körs igen)"
        ).replace(",", " ")


@dataclass(frozen=True)
class ImportFileMustBeReadable(InputRule):
    reason: str | None

    def is_broken(self) -> bool:
        return self.reason is not None

    def message(self) -> str:
        return f"the file cannot be read: {self.reason}"

    def in_swedish(self) -> str:
        return f"filen kan inte läsas: {self.reason}"


@dataclass(frozen=True)
class ImportFileMustHaveRows(InputRule):
    rows: int

    def is_broken(self) -> bool:
        return self.rows == 0

    def message(self) -> str:
        return "the file has no rows to import (a header row and at least one row)"

    def in_swedish(self) -> str:
        return "filen har inga rader att importera (en rubrikrad och minst en rad)"


@dataclass(frozen=True)
class EveryColumnMustBeKnown(InputRule):
    unknown: Collection[str]
    known: Collection[str]

    def is_broken(self) -> bool:
        return bool(self.unknown)

    def message(self) -> str:
        return (
            f"no field is known for the column(s) {', '.join(sorted(self.unknown))}; "
            f"name them in a mapping file ([columns] or ignore = [...]); known columns: "
            f"{', '.join(sorted(self.known))}"
        )

    def in_swedish(self) -> str:
        return (
            f"inget fält är känt för kolumnen eller kolumnerna {', '.join(sorted(self.unknown))}; "
            "ange dem i en mappningsfil ([columns] eller ignore = [...]); kända kolumner: "
            f"{', '.join(sorted(self.known))}"
        )


@dataclass(frozen=True)
class ColumnMustAppearOnce(InputRule):
    column: str
    times: int

    def is_broken(self) -> bool:
        return self.times > 1

    def message(self) -> str:
        return f"the column {self.column!r} appears {self.times} times in the header"

    def in_swedish(self) -> str:
        return f"kolumnen {quoted(self.column)} finns {self.times} gånger i rubrikraden"


@dataclass(frozen=True)
class ValueIsRequired(InputRule):
    present: bool

    def is_broken(self) -> bool:
        return not self.present

    def message(self) -> str:
        return "a value is required here and the cell is empty"

    def in_swedish(self) -> str:
        return "här krävs ett värde, och cellen är tom"


@dataclass(frozen=True)
class DateMustBeADay(InputRule):
    raw: str
    readable: bool

    def is_broken(self) -> bool:
        return not self.readable

    def message(self) -> str:
        return f"{self.raw} is not a date (YYYY-MM-DD or YYYYMMDD)"

    def in_swedish(self) -> str:
        return f"{self.raw} är inget datum (ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD)"


@dataclass(frozen=True)
class StatusMustBeKnown(InputRule):
    raw: str
    known: Collection[str]

    def is_broken(self) -> bool:
        return self.raw.casefold() not in {k.casefold() for k in self.known}

    def message(self) -> str:
        return (
            f"{self.raw!r} is not a status this import knows; write one of "
            f"{', '.join(sorted(self.known))}, or name it under [statuses] in a mapping file"
        )

    def in_swedish(self) -> str:
        return (
            f"{quoted(self.raw)} är ingen status som importen känner till; skriv en av "
            f"{', '.join(sorted(self.known))}, eller ange den under [statuses] i en mappningsfil"
        )


@dataclass(frozen=True)
class DiaryNumberMustAppearOnceInTheFile(InputRule):
    number: str
    first_row: int | None

    def is_broken(self) -> bool:
        return self.first_row is not None

    def message(self) -> str:
        return f"{self.number} is already the number of row {self.first_row} of this file"

    def in_swedish(self) -> str:
        return f"{self.number} är redan numret på rad {self.first_row} i filen"


@dataclass(frozen=True)
class FieldMustComeFromOneColumn(InputRule):
    field: str
    columns: Collection[str]

    def is_broken(self) -> bool:
        return len(self.columns) > 1

    def message(self) -> str:
        return (
            f"the columns {', '.join(sorted(self.columns))} all give {self.field}; "
            "leave out all but one (ignore = [...] in a mapping file)"
        )

    def in_swedish(self) -> str:
        return (
            f"kolumnerna {', '.join(sorted(self.columns))} ger alla {self.field}; "
            "ta bort alla utom en (ignore = [...] i en mappningsfil)"
        )


@dataclass(frozen=True)
class NumberOrPrefixIsRequired(InputRule):
    present: bool

    def is_broken(self) -> bool:
        return not self.present

    def message(self) -> str:
        return (
            "the row has no diary number, and no register_prefix is given to number it "
            "(a Diarieserie column, or register_prefix under [defaults] in a mapping file)"
        )

    def in_swedish(self) -> str:
        return (
            "raden har inget diarienummer, och inget register_prefix är angivet att "
            "numrera den med (en kolumn Diarieserie, eller register_prefix under "
            "[defaults] i en mappningsfil)"
        )
