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


# --- A file of decisions (docs/adr/0026) -----------------------------------------------


@dataclass(frozen=True)
class CaseMustBeImportedFirst(InputRule):
    number: str
    found: bool

    def is_broken(self) -> bool:
        return not self.found

    def message(self) -> str:
        return (
            f"no case {self.number} was imported; import the register's cases first "
            "(a file of cases), then its decisions"
        )

    def in_swedish(self) -> str:
        return (
            f"inget ärende {self.number} är importerat; importera registrets ärenden först "
            "(en fil med ärenden), sedan dess beslut"
        )


@dataclass(frozen=True)
class DelegationOrderMustBeNamed(InputRule):
    present: bool

    def is_broken(self) -> bool:
        return not self.present

    def message(self) -> str:
        return (
            "the row names no delegation order and point; a decision is taken under one "
            "adopted or imported first: name it in the file (Delegationsordning, "
            "Delegationspunkt) or, for every row, under [defaults] in a mapping file "
            "(delegation_order, delegation_point)"
        )

    def in_swedish(self) -> str:
        return (
            "raden anger ingen delegationsordning och punkt; ett beslut fattas enligt en "
            "ordning som antagits eller importerats först: ange den i filen "
            "(Delegationsordning, Delegationspunkt) eller, för alla rader, under [defaults] "
            "i en mappningsfil (delegation_order, delegation_point)"
        )


@dataclass(frozen=True)
class DelegationOrderMustBeAdoptedFirst(InputRule):
    order: str
    day: object
    in_force: Collection[str]

    def is_broken(self) -> bool:
        return True

    def message(self) -> str:
        known = "; ".join(sorted(self.in_force)) or "none"
        return (
            f"no delegation order {self.order!r} was in force on {self.day}; adopt it "
            f"first (by its title or id). Orders in force that day: {known}"
        )

    def in_swedish(self) -> str:
        known = "; ".join(sorted(self.in_force)) or "ingen"
        return (
            f"ingen delegationsordning {self.order!r} gällde {self.day}; anta den först "
            f"(med dess titel eller id). Ordningar som gällde den dagen: {known}"
        )


@dataclass(frozen=True)
class DelegationOrderMustBeOneOrder(InputRule):
    order: str
    orders: int

    def is_broken(self) -> bool:
        return self.orders > 1

    def message(self) -> str:
        return (
            f"{self.orders} orders in force that day are called {self.order!r}; name it by its id"
        )

    def in_swedish(self) -> str:
        return (
            f"{self.orders} ordningar som gällde den dagen heter {self.order!r}; "
            "ange den med dess id"
        )


@dataclass(frozen=True)
class DecisionMustAppearOnceInTheFile(InputRule):
    decision: str
    first_row: int | None

    def is_broken(self) -> bool:
        return self.first_row is not None

    def message(self) -> str:
        return f"{self.decision} is already the decision of row {self.first_row} of this file"

    def in_swedish(self) -> str:
        return f"{self.decision} är redan beslutet på rad {self.first_row} i filen"


@dataclass(frozen=True)
class ContributionMustBeKnown(InputRule):
    raw: str
    known: Collection[str]

    def is_broken(self) -> bool:
        return self.raw.strip().casefold() not in self.known

    def message(self) -> str:
        return f"{self.raw!r} is not a kind of contribution; write one of {', '.join(self.known)}"

    def in_swedish(self) -> str:
        return f"{self.raw!r} är inte ett slag av insats; skriv ett av {', '.join(self.known)}"


@dataclass(frozen=True)
class ValueIsRequiredWith(InputRule):
    other: str
    present: bool

    def is_broken(self) -> bool:
        return not self.present

    def message(self) -> str:
        return f"a value is required here when {self.other} is given, and the cell is empty"

    def in_swedish(self) -> str:
        return f"ett värde krävs här när {self.other} är angivet, och cellen är tom"
