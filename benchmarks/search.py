"""Register search at a national scale: generated cases loaded in bulk, then word queries.

The rows are loaded straight into the register's tables (COPY on PostgreSQL, one
executemany transaction on SQLite), not through a million commands; their search texts
come from the projection's own `search_texts`, and SQLite's full-text entries from its
own `search.index`, so the index holds what production would.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, select, text

from application.register import search
from application.register.projection import REGISTER, search_texts
from application.register.queries import RegisterSearch, search_register
from application.shared import paging
from application.shared.access import PUBLIC
from benchmarks.measure import Figure
from infrastructure.readmodels import writer
from infrastructure.readside import open_read_models
from infrastructure.settings import Settings

CHUNK = 10_000
SCANNED = 20  # queries of the search before the index, a scan each


def _words(text: str) -> list[str]:
    return text.split()


PLACES = _words(
    "Östersund Krokom Strömsund Åre Berg Härjedalen Bräcke Ragunda Sundsvall Timrå Kramfors "
    "Sollefteå Örnsköldsvik Umeå Skellefteå Lycksele Vilhelmina Storuman Sorsele Malå "
    "Arvidsjaur Arjeplog Jokkmokk Gällivare Kiruna Pajala Övertorneå Haparanda Kalix Luleå "
    "Piteå Älvsbyn Boden Bjurholm Vindeln Robertsfors Nordmaling Vännäs Dorotea Åsele Ljusdal "
    "Hudiksvall Nordanstig Bollnäs Söderhamn Ovanåker Gävle Sandviken Hofors Ockelbo Falun "
    "Borlänge Mora Orsa Älvdalen Malung Vansbro Leksand Rättvik Ludvika Smedjebacken Hedemora "
    "Avesta Säter Gagnef Motala Ljungby Vemdalen Funäsdalen Hammarstrand Järpen Svenstavik"
)
ADJECTIVES = _words(
    "hållbar digital grön smart regional innovativ cirkulär inkluderande lokal nordisk "
    "fossilfri attraktiv effektiv gemensam långsiktig kreativ samverkande förnybar robust "
    "växande levande jämställd tillgänglig ny utvecklad modern framtida stark"
)
NOUNS = _words(
    "besöksnäring livsmedelsproduktion kompetensförsörjning turism skogsindustri "
    "energiomställning kollektivtrafik bredbandsutbyggnad vattenvård kulturarv landsbygd "
    "innovationskluster företagsstöd exportfrämjande entreprenörskap samhällsbyggnad "
    "destinationsutveckling rennäring fjällturism cykelled vandringsled träindustri "
    "batteriproduktion vätgas solenergi vindkraft biogas matkultur hantverk musikliv "
    "ungdomsverksamhet integration folkhälsa äldreomsorg utbildning yrkeshögskola "
    "forskningsmiljö testbädd inkubator affärsutveckling design digitalisering logistik "
    "godstrafik järnväg flygplats hamn kustturism skärgård fiske vattenbruk jordbruk "
    "skogsbruk mejeri slakteri bryggeri konsthall bibliotek idrottsanläggning skidanläggning"
)
VERBS = _words(
    "stärka utveckla främja öka skapa bygga etablera samordna förbättra bredda "
    "underlätta säkra bevara synliggöra kartlägga pröva testa förankra sprida införa"
)
OBJECTS = _words(
    "företagens förmåga erbjudanden tjänster produkter samverkan kunskap nätverk marknader "
    "kompetens arbetstillfällen besökare investeringar infrastruktur kapacitet attraktivitet "
    "konkurrenskraft omställning innovationsförmåga affärsmodeller samarbeten kvinnors "
    "företagande ungas inflytande tillgänglighet klimatanpassning resurseffektivitet"
)
FIRST = _words(
    "Åsa Anna Per Lars Karin Eva Maria Erik Johan Sara Emma Anders Mikael Lena Kerstin "
    "Ingrid Björn Göran Ulf Birgitta Margareta Nils Olof Sven Helena Linnea Elin Oskar "
    "Hugo Maja Ebba Alva Wilma Ella Astrid Saga Axel Viktor Filip Gustav"
)
LAST = _words(
    "Hofsten Halvarsson Nilsson Andersson Johansson Karlsson Persson Eriksson Larsson "
    "Olsson Svensson Gustafsson Pettersson Jonsson Jansson Hansson Bengtsson Jönsson "
    "Lindberg Lindström Lindqvist Lindgren Berg Bergström Lundberg Lundgren Sandberg "
    "Forsberg Sjöberg Wallin Engström Danielsson Håkansson Lundin Björk Holm Öberg Ek "
    "Nyström Strand Åberg Sundberg Norberg Fjällström Jämtlund"
)
UNITS = (
    "Näringsliv och samhällsbyggnad",
    "Regional utveckling",
    "Kultur och bildning",
    "Infrastruktur och kollektivtrafik",
    "Folkhälsa och social hållbarhet",
    "Landsbygdsutveckling",
    "Internationellt samarbete",
    "Kompetensförsörjning",
)
PROGRAMMES = (
    None,
    None,
    "Landsbygdsprogrammet",
    "Regionalfonden",
    "Interreg Aurora",
    "Socialfonden+",
    "Fonden för en rättvis omställning",
)
DOCUMENTS = (
    "Ansökan",
    "Kompletterande uppgifter",
    "Budget och finansieringsplan",
    "Projektbeskrivning",
    "Yttrande",
    "Delegationsbeslut",
    "Lägesrapport",
    "Slutrapport",
    "Utbetalningsbegäran",
    "Avtal om medfinansiering",
    "Protokollsutdrag",
    "Begäran om komplettering",
)
TITLES = (
    "Ansökan om medfinansiering",
    "Ansökan om projektmedel",
    "Ansökan om regionalt företagsstöd",
    "Begäran om stöd",
    "Deltagande i projekt",
    "Ansökan om bidrag",
)
PREFIXES = ("RUN", "RUN", "RUN", "KS", "RS", "TN", "KN")
STATUSES = ("registered", "under_review", "granted", "partly_granted", "rejected", "closed")


def search_p95_ms(settings: Settings, cases: int, queries: int = 200) -> Figure:
    """The p95 of distinct word queries (first page of 50, with the total) over `cases`
    cases loaded in bulk, beside the search before the index."""
    engine = open_read_models(settings)
    started = time.perf_counter()
    load(engine, cases)
    figure = measured(engine, cases, time.perf_counter() - started, queries)
    engine.dispose()
    return figure


def measured(engine: Engine, cases: int, load_seconds: float, queries: int = 200) -> Figure:
    """The figure over the cases loaded (`load`)."""
    asked = questions(queries, random.Random(5))
    for q in asked:  # once to warm the caches, as a running service has them
        search_register(engine, RegisterSearch(q=q, limit=50), PUBLIC)
    samples, totals = [], []
    for q in asked:
        begun = time.perf_counter()
        page = search_register(engine, RegisterSearch(q=q, limit=50), PUBLIC)
        samples.append((time.perf_counter() - begun) * 1000)
        totals.append((page.total, page.total_is_exact))
    before = [_scanned_ms(engine, q) for q in asked[:SCANNED]]
    return Figure(
        "search_1m_p95_ms",
        "sqlite" if engine.dialect.name == "sqlite" else "pg",
        statistics.quantiles(samples, n=20)[18],
        f"ms p95, {f'{cases:,}'.replace(',', ' ')} cases",
        statistics.quantiles(before, n=20)[18],
        f"the search before the index (LIKE '%q%' on the text), p95 of {SCANNED}",
        extra={
            "cases": cases,
            "load_seconds": load_seconds,
            "p50_ms": statistics.median(samples),
            "max_ms": max(samples),
            "queries": len(asked),
            "queries_over_cap": sum(1 for _, exact in totals if not exact),
            "queries_without_match": sum(1 for total, _ in totals if total == 0),
        },
    )


def _scanned_ms(engine: Engine, q: str) -> float:
    """The first page as the register found it before: a scan of every case's text."""
    cases = REGISTER.cases.c
    query = (
        select(REGISTER.cases)
        .where(cases.public_search_text.like(paging.like(q), escape="\\"))
        .order_by(cases.year.desc(), cases.sequence.desc(), cases.prefix.desc())
        .limit(51)
    )
    with engine.connect() as conn:
        begun = time.perf_counter()
        conn.execute(query).all()
        return (time.perf_counter() - begun) * 1000


def questions(n: int, rng: random.Random) -> list[str]:
    """`n` distinct queries a registrar would type: words, two words, names, name
    fragments and parts of diary numbers, from common to rare."""
    makers = (
        lambda: rng.choice(NOUNS),
        lambda: rng.choice(PLACES),
        lambda: f"{rng.choice(NOUNS)} {rng.choice(PLACES)}",
        lambda: f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}",
        lambda: f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        lambda: rng.choice(LAST)[:5].lower(),
        lambda: f"{rng.randrange(1, 3000)}/{rng.randrange(2015, 2025)}",
        lambda: f"{rng.choice(NOUNS)[:6]} {rng.choice(VERBS)}",
        lambda: f"{rng.choice(DOCUMENTS).split()[0]} {rng.choice(PLACES)}",
        lambda: f"{rng.choice(PLACES)} kommun {rng.choice(NOUNS)}",
    )
    asked: dict[str, None] = {}
    for turn in count():
        if len(asked) == n:
            break
        asked[makers[turn % len(makers)]()] = None
    return list(asked)


def load(engine: Engine, cases: int) -> None:
    """`cases` registered cases with their documents, in bulk, indexed as projected."""
    cases_table, documents_table = REGISTER.cases, REGISTER.documents
    case_columns = [c.name for c in cases_table.columns]
    document_columns = [c.name for c in documents_table.columns]
    if engine.dialect.name == "postgresql":
        # Two connections, so that cases and documents stream side by side.
        raw_cases, raw_documents = engine.raw_connection(), engine.raw_connection()
        try:
            to_cases: Any = raw_cases.driver_connection
            to_documents: Any = raw_documents.driver_connection
            with (
                to_cases.cursor().copy(
                    f"COPY {cases_table.name} ({', '.join(case_columns)}) FROM STDIN"
                ) as copy_cases,
                to_documents.cursor().copy(
                    f"COPY {documents_table.name} ({', '.join(document_columns)}) FROM STDIN"
                ) as copy_documents,
            ):
                for case_row, document_rows in generate(cases):
                    copy_cases.write_row([case_row[c] for c in case_columns])
                    for row in document_rows:
                        copy_documents.write_row([row[c] for c in document_columns])
            to_cases.commit()
            to_documents.commit()
        finally:
            raw_cases.close()
            raw_documents.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # What autovacuum does to a table after a load of this size.
            conn.execute(text(f"VACUUM ANALYZE {cases_table.name}, {documents_table.name}"))
        return
    with writer(engine).begin() as conn:
        batch: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        for generated in generate(cases):
            batch.append(generated)
            if len(batch) == CHUNK:
                _insert(conn, batch)
                batch = []
        _insert(conn, batch)
    with writer(engine).begin() as conn:
        conn.execute(text("ANALYZE"))


def _insert(conn: Connection, batch: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    if not batch:
        return
    conn.execute(REGISTER.cases.insert(), [case for case, _ in batch])
    documents = [d for _, docs in batch for d in docs]
    if documents:
        conn.execute(REGISTER.documents.insert(), documents)
    search.index(
        conn,
        "",
        [
            search.Indexed(
                case["search_id"],
                case["diary_number"],
                case["search_text"],
                case["public_search_text"],
            )
            for case, _ in batch
        ],
    )


def generate(cases: int, seed: int = 11) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Register rows as the projection leaves them, in the order cases are registered
    (ten years, numbers running within each series and year): a case and its documents."""
    rng = random.Random(seed)
    sequences: dict[tuple[str, int], Iterator[int]] = {}
    officers = [(f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(UNITS)) for _ in range(300)]
    years = 10
    for search_id in range(1, cases + 1):
        year_index, within = divmod((search_id - 1) * years, cases)
        prefix, year = rng.choice(PREFIXES), 2015 + year_index
        sequence = next(sequences.setdefault((prefix, year), count(1)))
        received = date(year, 1, 1) + timedelta(days=within * 360 // cases)
        place = rng.choice(PLACES)
        project = f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)} i {place}"
        applicant = _applicant(rng, place)
        officer, unit = rng.choice(officers)
        secret: dict[str, str] = {}
        if rng.random() < 0.03:
            secret["applicant"] = "OSL 21 kap. 3 §"
        case_id = str(UUID(int=rng.getrandbits(128), version=4))
        case = {
            "case_id": case_id,
            "diary_number": f"{prefix}/{sequence}/{year}",
            "prefix": prefix,
            "sequence": sequence,
            "year": year,
            "title": f"{rng.choice(TITLES)}: {project}",
            "applicant_name": applicant,
            "organisation_number": f"{rng.randrange(200000, 999999)}-{rng.randrange(1000, 9999)}",
            "project_name": project,
            "project_start": received + timedelta(days=60),
            "project_end": received + timedelta(days=60 + rng.randrange(180, 1100)),
            "project_purpose": _purpose(rng),
            "programme": rng.choice(PROGRAMMES),
            "requested_ore": rng.randrange(10_000, 5_000_000) * 100,
            "total_budget_ore": None,
            "received_on": received,
            "officer_name": officer,
            "officer_unit": unit,
            "status": rng.choice(STATUSES),
            "secret_fields": json.dumps(secret, sort_keys=True, ensure_ascii=False),
            "decision_count": rng.randrange(0, 2),
            "registered_at": datetime.combine(received, datetime.min.time()),
            "updated_at": datetime.combine(received, datetime.min.time()),
            "version": 1,
            "search_id": search_id,
        }
        documents = [
            {
                "document_id": str(UUID(int=rng.getrandbits(128), version=4)),
                "case_id": case_id,
                "number": n + 1,
                "title": rng.choice(DOCUMENTS),
                "direction": rng.choice(("incoming", "outgoing", "internal")),
                "document_date": received,
                "party": rng.choice((None, applicant, f"Region {rng.choice(PLACES)}")),
                "secret_ground": "OSL 31 kap. 16 §" if rng.random() < 0.05 else None,
                "registered_at": datetime.combine(received, datetime.min.time())
                + timedelta(seconds=n),
            }
            for n in range(rng.randrange(0, 5))
        ]
        case["search_text"], case["public_search_text"] = search_texts(case, documents)
        yield case, documents


def _applicant(rng: random.Random, place: str) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return f"{place} kommun"
    if kind == 1:
        return f"{rng.choice(LAST)}s {rng.choice(NOUNS)} AB"
    if kind == 2:
        return f"Föreningen {rng.choice(ADJECTIVES).capitalize()} {place}"
    if kind == 3:
        return f"Stiftelsen {rng.choice(NOUNS).capitalize()} i {place}"
    return f"{rng.choice(FIRST)} {rng.choice(LAST)} Konsult AB"


def _purpose(rng: random.Random) -> str:
    words = [
        f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} inom {rng.choice(NOUNS)}"
        for _ in range(rng.randrange(1, 4))
    ]
    return "Att " + ", ".join(words) + f" i {rng.choice(PLACES)}."
