"""What an import is asked to do: which file, how its columns are named, and how to run."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from application.shared.commands import Command, Short

# The fields a row can fill, and the column names a Swedish register export gives them
# (compared without regard to case). A mapping file names any others.
FIELD_NAMES = Literal[
    "diary_number",
    "received_on",
    "title",
    "applicant",
    "organisation_number",
    "case_officer",
    "unit",
    "status",
    "period",
    "start",
    "end",
    "granted_amount",
    "requested_amount",
    "total_budget",
    "financier",
    "programme",
    "project_name",
    "purpose",
    "register_prefix",
    # A decision's and its commitment's history (`kind = "decisions"`)
    "decided_on",
    "decided_by",
    "decided_by_title",
    "delegation_order",
    "delegation_point",
    "amount",
    "wording",
    "reported_on",
    "announced_on",
    "committee",
    "paragraph",
    "contribution",
    "budget_area",
    "used",
    "used_on",
    "paid",
    "paid_on",
]

DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "diary_number": ("Diarienummer", "Dnr", "Ärendenummer"),
    "received_on": ("Registreringsdatum", "Inkommen", "Inkommet", "Inkom"),
    "title": ("Ärendemening", "Rubrik"),
    "applicant": ("Sökande", "Motpart"),
    "organisation_number": ("Organisationsnummer", "Orgnr", "Org.nr"),
    "case_officer": ("Handläggare",),
    "unit": ("Enhet",),
    "status": ("Status",),
    "period": ("Projekttid",),
    "start": ("Start", "Startdatum", "Projektstart"),
    "end": ("Slut", "Slutdatum", "Projektslut"),
    "granted_amount": ("Beviljat belopp", "Beviljat"),
    "requested_amount": ("Sökt belopp", "Sökt"),
    "total_budget": ("Total budget", "Budget"),
    "financier": ("Finansiär", "Finansiärer"),
    "programme": ("Program", "Utlysning"),
    "project_name": ("Projektnamn", "Projekt"),
    "purpose": ("Syfte", "Beskrivning"),
    "register_prefix": ("Diarieserie",),
}

# The columns of the second file kind: one row a decision taken in a case imported
# before, with the co-financing it committed and its usage to date (docs/adr/0026).
DEFAULT_DECISION_COLUMNS: dict[str, tuple[str, ...]] = {
    "diary_number": ("Diarienummer", "Dnr", "Ärendenummer"),
    "decided_on": ("Beslutsdatum",),
    "decided_by": ("Beslutsfattare", "Delegat"),
    "decided_by_title": ("Befattning", "Beslutsfattarens titel"),
    "delegation_order": ("Delegationsordning",),
    "delegation_point": ("Delegationspunkt",),
    "amount": ("Belopp", "Beslutat belopp"),
    "wording": ("Beslutstext", "Beslut"),
    "reported_on": ("Anmäld", "Anmäld datum"),
    "announced_on": ("Anslaget", "Protokollet anslaget"),
    "committee": ("Nämnd",),
    "paragraph": ("Paragraf", "Protokollsparagraf"),
    "financier": ("Finansiär",),
    "contribution": ("Insats",),
    "budget_area": ("Budgetområde",),
    "start": ("Start", "Startdatum"),
    "end": ("Slut", "Slutdatum"),
    "used": ("Förbrukat",),
    "used_on": ("Förbrukat per",),
    "paid": ("Utbetalt",),
    "paid_on": ("Utbetalt per",),
}

# How a register writes a commitment's kind (compared without regard to case).
CONTRIBUTIONS: dict[str, Literal["cash", "in_kind"]] = {
    "kontant": "cash",
    "kontanta medel": "cash",
    "pengar": "cash",
    "i annat än pengar": "in_kind",
    "annat än pengar": "in_kind",
    "arbetstid": "in_kind",
    "arbetad tid": "in_kind",
}

ImportKind = Literal["cases", "decisions"]

CaseStatusName = Literal[
    "registered", "under_review", "granted", "partly_granted", "rejected", "closed", "withdrawn"
]

# A register's status, as the steps of the case's lifecycle that reach it.
DEFAULT_STATUSES: dict[str, tuple[CaseStatusName, ...]] = {
    "Registrerad": (),
    "Inkommen": (),
    "Under handläggning": ("under_review",),
    "Pågående": ("under_review",),
    "Beviljad": ("under_review", "granted"),
    "Delvis beviljad": ("under_review", "partly_granted"),
    "Avslagen": ("under_review", "rejected"),
    "Återtagen": ("withdrawn",),
    "Beviljad, avslutad": ("under_review", "granted", "closed"),
    "Avslagen, avslutad": ("under_review", "rejected", "closed"),
}


class ImportMapping(Command):
    """A mapping file (TOML): the columns of a register whose names are not the default
    ones, values for fields the file lacks, its statuses, and columns to leave out."""

    columns: dict[FIELD_NAMES, Short] = Field(
        default_factory=dict, description="field = the file's column name"
    )
    defaults: dict[FIELD_NAMES, Short] = Field(
        default_factory=dict, description="field = the value of a row that leaves it empty"
    )
    statuses: dict[Short, list[CaseStatusName]] = Field(
        default_factory=dict,
        description="the file's status = the lifecycle steps that reach it, in order",
    )
    ignore: Annotated[list[Short], Field(max_length=200)] = Field(
        default_factory=list, description="columns of the file that are not imported"
    )


class ImportFile(Command):
    """Import the rows of one file; `dry_run` writes nothing and reports what a run
    would do; `all_or_nothing` refuses the whole file before writing if a row is bad.
    `kind`: `cases` (a register's cases) or `decisions` (decisions taken in cases
    imported before, with their commitments and usage to date)."""

    file_name: Annotated[str, Field(min_length=1, max_length=255, examples=["diarium.csv"])]
    kind: ImportKind = "cases"
    mapping: ImportMapping = Field(default_factory=ImportMapping)
    dry_run: bool = False
    all_or_nothing: bool = False
