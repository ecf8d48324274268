"""A demo history from real public documents, recorded through the use cases.

- Seed 003: the delegation decision RUN/664/2021, complete (see worked_example).
- Seed 004: Tillväxtverket's list of projects granted within "Lokalt och regionalt
  tillväxtarbete", imported row by row as registered cases. Its periods are written
  as in the list ("201203 — 201410"); a row whose period cannot be read is reported
  with its row number and not imported.
- Seeds 000–002: three rural digitalisation projects and their financiers.

The seeds give no organisation numbers: those here have valid check digits and are for
illustration. Where a document gives no amount, none is invented: the financier is
recorded as a document in the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from application import commands as cmd
from application.service import CaseRegistered, Fundcase
from application.worked_example import OFFICIAL, record_worked_example
from domain.errors import DomainError
from domain.values import Period

TILLVAXTVERKET = "Tillväxtverket"
PROGRAMME_004 = "Lokalt och regionalt tillväxtarbete (Tillväxtverket)"


@dataclass(frozen=True)
class ListedProject:
    """One row of seed 004: title, owner, period as written, and purpose."""

    title: str
    owner: str
    organisation_number: str
    period: str
    purpose: str


PROJECTS_004 = [
    ListedProject(
        "Progressiva kommuner",
        "Lycksele kommun",
        "212000-2437",
        "201203 — 201410",
        "Etablera Region 8 som en regional och nationell aktör vad gäller samarbete kring "
        "utveckling på lokal, regional, nationell och internationell nivå.",
    ),
    ListedProject(
        "Tillväxtföretag i Västernorrland",
        "Länsstyrelsen i Västernorrland",
        "202100-2478",
        "201203 — 201406",
        "Skapa fler konkurrenskraftiga och växande företag, en växande lokal ekonomi och fler "
        "arbetstillfällen i Västernorrlands län.",
    ),
    ListedProject(
        "Många vägar in — tillväxt och företagande i Kristianstad",
        "Kristianstads kommun",
        "212000-0969",
        "201206 — 201310",
        "Utveckla arbetssätt, verktyg och samarbete mellan offentlig, privat och ideell sektor "
        "för att stärka det lokala näringslivet och främja tillväxt.",
    ),
    ListedProject(
        "Utmaningen — samverkan och samsyn för tillväxt",
        "Vansbro kommun",
        "212000-2197",
        "201209 — 201410",
        "Initiera ett långsiktigt hållbart innovativt tillväxtarbete byggt på samverkan mellan "
        "näringsliv, ideell sektor, förvaltning och politik.",
    ),
    ListedProject(
        "Utvecklingsplan Motala — staden och regionen en integrerad del i det lokala "
        "näringlivets utvecklingsförutsättningar",
        "Motala kommun",
        "212000-0522",
        "201209 — 201410",
        "Utveckla en stadsvision och en handlingsplan som tar vara på de nya möjligheter som "
        "staden får med förbättrade kommunikationer.",
    ),
    ListedProject(
        "Håll ut",
        "Industriellt Utvecklingscentrum i Kalmar AB",
        "556677-8899",
        "201203 — 201410",
        "Hitta nya metoder för att hjälpa regionens industriföretag att ta ett steg upp i "
        "näringskedjan och stärka sin konkurrenskraft.",
    ),
    ListedProject(
        "FRONT (Framtid och Norsjös tillväxt)",
        "Norsjö kommun",
        "212000-2510",
        "2012-01 — 2013-11",
        "Förbättra företagsklimatet i kommunen och bidra till attraktiva miljöer för "
        "näringslivets utveckling och tillväxt.",
    ),
    ListedProject(
        "Business Unusual",
        "Ljungby kommun",
        "212000-0654",
        "2011-12 — 2014-01",
        "Samla och stärka näringslivet som utvecklingsaktör i Ljungby kommun och i det "
        "regionala tillväxtarbetet.",
    ),
    ListedProject(
        "Örnsköldsviks kommun i samverkan med Företagarna",
        "Örnsköldsviks kommun",
        "212000-2452",
        "20112-01 — 2014-10",  # as written in the list: not a date
        "Stärka företagen i Örnsköldsviks kommun genom nya arbetssätt för samverkan mellan "
        "kommunen och företagen.",
    ),
    ListedProject(
        "Regional tillväxt på alla nivåer",
        "Regionförbundet Västerbotten",
        "222000-1818",
        "2012-01 — 2014-06",
        "Stärka den regionala tillväxtpolitiken med Västerbottens län som pilotregion, genom nya "
        "former och metoder för flernivåstyrning.",
    ),
]


@dataclass(frozen=True)
class FundedProject:
    """A project of seeds 000–002 and who finances it."""

    title: str
    owner: str
    organisation_number: str
    start: date
    end: date
    purpose: str
    financiers: list[str]
    # The one amount the seeds state: EU funds of two million kronor (seed 001).
    commitment: tuple[str, str] | None = None
    notes: list[str] = field(default_factory=list)


PROJECTS_000_002 = [
    FundedProject(
        "Lärlabb för projekt i utlysningen Utveckla företag på landsbygderna",
        "Stiftelsen Svensk industridesign (SVID)",
        "802011-2234",
        date(2020, 1, 1),
        date(2021, 3, 31),
        "Förnyelselabbet genomför en labbprocess som synliggör behov hos landsbygdens små och "
        "medelstora företag och stödjer lärande mellan projekt som fått medel från Tillväxtverket.",
        [TILLVAXTVERKET],
    ),
    FundedProject(
        "Nytt projekt ska stärka småföretag i glesbygd",
        "Kommunalförbundet Akademi Norr",
        "222000-1842",
        date(2021, 10, 1),
        date(2023, 10, 31),  # start: assumption
        "Kartlägga kompetensbehov och hitta nya metoder för att hjälpa småföretag i Norrbottens "
        "och Västerbottens glesbygd att nyttja digitaliseringens möjligheter.",
        [
            "Europeiska jordbruksfonden för landsbygdsutveckling",
            "Umeå universitet",
            "Företagarna i Norrbotten",
            "Företagarna i Västerbotten",
            "Akademi Norr",
        ],
        commitment=("Europeiska jordbruksfonden för landsbygdsutveckling", "2000000.00"),
    ),
    FundedProject(
        "Mikro- och småföretagens digitala resa",
        "Lindesbergs kommun",
        "212000-1991",
        date(2022, 9, 1),
        date(2024, 6, 30),
        "Kartlägga småföretagen på landsbygden kring fem utvecklingspunkter och analysera deras "
        "möjligheter att verka och utvecklas digitalt.",
        [
            "Europeiska jordbruksfonden för landsbygdsutveckling (via Tillväxtverket)",
            "Region Örebro län",
        ],
    ),
]


@dataclass
class DemoReport:
    recorded: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def load_demo(app: Fundcase) -> DemoReport:
    """Record the demo history; rows that cannot be read are reported, not guessed."""
    report = DemoReport()
    example = record_worked_example(app)
    report.recorded.append(f"{example.diary_number}: delegationsbeslut enligt seed 003")
    for row, project in enumerate(PROJECTS_004, start=1):
        try:
            period = Period.parse_text(project.period, f"rows[{row}].period")
        except DomainError as refusal:
            report.refused.append(f"row {row} ({project.title}): {refusal.rule}: {refusal.message}")
            continue
        registered = _register(
            app,
            project.title,
            project.owner,
            project.organisation_number,
            period,
            project.purpose,
            PROGRAMME_004,
        )
        report.recorded.append(f"{registered.diary_number}: {project.title}")
    for funded in PROJECTS_000_002:
        report.recorded.append(f"{_register_funded(app, funded)}: {funded.title}")
    return report


def _register(
    app: Fundcase,
    title: str,
    owner: str,
    org: str,
    period: Period,
    purpose: str,
    programme: str | None = None,
    officer: str = "Åsa Hofsten",
) -> CaseRegistered:
    return app.register_case(
        cmd.RegisterCase(
            register_prefix="RUN",
            title=title,
            applicant=cmd.ApplicantInput(owner, org),
            project=cmd.ProjectInput(title, period.start, period.end, purpose),
            received_on=period.start,
            case_officer=cmd.CaseOfficerInput(officer, "Näringsliv och samhällsbyggnad"),
            programme=programme,
        ),
        OFFICIAL,
    )


def _register_funded(app: Fundcase, funded: FundedProject) -> str:
    case = _register(
        app,
        funded.title,
        funded.owner,
        funded.organisation_number,
        Period(funded.start, funded.end),
        funded.purpose,
        officer="Per Nilsson",
    )
    for financier in funded.financiers:
        app.register_document(
            cmd.RegisterDocument(
                case.id,
                f"Finansieringsbesked från {financier}",
                "incoming",
                funded.start,
                financier,
            ),
            OFFICIAL,
        )
    if funded.commitment:
        financier, amount = funded.commitment
        app.propose_commitment(
            cmd.ProposeCommitment(
                case_id=case.id,
                financier=financier,
                kind="cash",
                amount=amount,
                start=funded.start,
                end=funded.end,
                budget_areas=[("Hållbar tillväxt", amount)],
            ),
            OFFICIAL,
        )
    return str(case.diary_number)
