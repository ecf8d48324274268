"""Searching the register by words, on SQLite (FTS5) and PostgreSQL (full text, trigrams).

Every test here runs on both stores (tests/conftest.py); where they differ the test says
how (docs/adr/0013-register-search.md).
"""

from __future__ import annotations

from datetime import date

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from application.cases.commands import (
    ApplicantDetails,
    RegisterDocument,
    Secret,
)
from application.fundcase import Fundcase
from application.register.queries import RegisterPage, RegisterSearch, search_register
from application.shared.access import Reader
from demo.worked_example import OFFICIAL, REGISTER_CASE
from domain.values import Actor, Role
from infrastructure.projector import Projector
from infrastructure.readmodels import MIGRATIONS, writer
from tests.integration.history import generate_history
from tests.integration.readers import AUDITOR, PUBLIC
from tests.integration.secrecy import mark_applicant_secret


def register(
    app: Fundcase, title: str, applicant: str = "SVID", received_on: date | None = None
) -> str:
    """A case whose words are its title, its applicant's and its officer's."""
    case = REGISTER_CASE.model_copy(
        update={
            "received_on": received_on or REGISTER_CASE.received_on,
            "title": title,
            "applicant": ApplicantDetails(name=applicant, organisation_number="802011-2234"),
            "project": REGISTER_CASE.project.model_copy(update={"name": "P", "purpose": "S"}),
            "programme": None,
        }
    )
    return app.register_case(case, OFFICIAL).diary_number


def found(engine: Engine, q: str, *, public: bool = False, **search: object) -> list[str]:
    page = search_register(engine, RegisterSearch(q=q, **search), PUBLIC if public else AUDITOR)  # type: ignore[arg-type]
    return [entry.diary_number for entry in page.items]


def test_words_are_found_in_any_order_and_every_word_must_be_there(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    kluster = register(app, "Designdrivna innovationskluster i Jämtland")
    register(app, "Innovationsveckan i Härjedalen")
    projector.catch_up()
    for q in (
        "jämtland innovationskluster",
        "JÄMTLAND Designdrivna",
        "innovationskluster designdrivna jämtland",
    ):
        assert found(engine, q) == [kluster], q
    assert found(engine, "innovationskluster härjedalen") == []
    # Å, ä and ö are letters of their own, not a, a and o.
    assert found(engine, "jamtland") == []


def test_a_word_finds_its_swedish_forms_on_postgresql_and_what_it_begins_on_sqlite(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    ansökningar = register(app, "Inkomna ansökningar om projektmedel", "Lycksele kommun")
    projector.catch_up()
    # An -an noun finds its -ningar forms, on both stores.
    assert found(engine, "ansökan") == [ansökningar]
    assert found(engine, "Ansökan lycksele") == [ansökningar]
    assert found(engine, "anmälan") == []
    if engine.dialect.name == "postgresql":
        # Swedish stemming: other forms of a word find it; its beginning does not.
        assert found(engine, "ansökningen") == [ansökningar]
        assert found(engine, "kommunerna") == [ansökningar]
        assert found(engine, "kommunens") == [ansökningar]
        assert found(engine, "ansök") == []
        assert found(engine, "lycks") == []
    else:
        # FTS5 cannot stem Swedish: the beginning of a word (or compound) finds it.
        assert found(engine, "ansök") == [ansökningar]
        assert found(engine, "projekt") == [ansökningar]
        assert found(engine, "lycks") == [ansökningar]
        assert found(engine, "ansökningen") == []
        assert found(engine, "kommunerna") == []


def test_part_of_a_diary_number_finds_the_cases_it_begins_a_part_of(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    numbers = [register(app, f"Ärende {n}") for n in range(1, 13)]
    projector.catch_up()
    assert numbers[11] == "RUN/12/2021"
    assert found(engine, "12/2021") == ["RUN/12/2021"]
    assert found(engine, "RUN/12/2021") == ["RUN/12/2021"]
    assert found(engine, "run/1") == ["RUN/12/2021", "RUN/11/2021", "RUN/10/2021", "RUN/1/2021"]
    assert found(engine, "2/2021") == ["RUN/2/2021"]
    assert found(engine, "ärende 12/2021") == ["RUN/12/2021"]
    assert found(engine, "13/2021") == []
    # A diary number is one word: its parts alone are not words of the case.
    assert found(engine, "2021") == []
    # Numbers are matched whole: `1` does not find 10, 11 and 12.
    assert found(engine, "ärende 1") == ["RUN/1/2021"]
    assert found(engine, "ärende") == [f"RUN/{n}/2021" for n in range(12, 0, -1)]
    # diary_number itself stays an exact match.
    page = search_register(engine, RegisterSearch(diary_number="RUN/1/2021"), AUDITOR)
    assert [e.diary_number for e in page.items] == ["RUN/1/2021"]


def test_the_public_view_never_finds_a_case_by_a_secret_part(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    case = REGISTER_CASE.model_copy(
        update={
            "title": "Förstudie om besöksnäring",
            "applicant": ApplicantDetails(
                name="Fjällhotellet Vemdalsskalet AB", organisation_number="556677-8899"
            ),
        }
    )
    registered = app.register_case(case, OFFICIAL)
    app.register_document(
        registered.id,
        RegisterDocument(
            title="Kalkyl Sekretessbelagd",
            direction="incoming",
            date=date(2021, 12, 9),
            party="Banken Norrland",
            secret=Secret(ground="OSL 31 kap. 16 §"),
        ),
        OFFICIAL,
    )
    mark_applicant_secret(app, registered.id, "OSL 21 kap. 3 §")
    projector.catch_up()
    number = registered.diary_number
    for q in (
        "fjällhotellet",
        "vemdalsskalet",
        "556677-8899",
        "kalkyl",
        "banken",
        "besöksnäring fjällhotellet",
    ):
        assert found(engine, q, public=True) == [], q
        assert found(engine, q) == [number], q
    assert found(engine, "besöksnäring", public=True) == [number]
    assert found(engine, "", public=True, party="vemdals") == []
    public = search_register(engine, RegisterSearch(q="vemdalsskalet"), PUBLIC)
    assert (public.items, public.total, public.total_is_exact) == ([], 0, True)
    # Staff: the case officer's unit searches the secret parts, another unit does not.
    in_unit, outside = (
        Reader(Actor(id=name, name=name, role=Role.OFFICIAL), unit=unit)
        for name, unit in (("Per", case.case_officer.unit.upper()), ("Eva", "Ekonomi"))
    )
    for q in ("fjällhotellet vemdalsskalet", "kalkyl besöksnäring"):
        for reader, expected in ((in_unit, [number]), (outside, [])):
            page = search_register(engine, RegisterSearch(q=q), reader)
            assert [e.diary_number for e in page.items] == expected, (q, reader.unit)
            assert page.total == len(expected)
    assert [
        e.diary_number
        for e in search_register(engine, RegisterSearch(q="besöksnäring"), outside).items
    ] == [number]


def test_the_total_is_exact_up_to_the_cap_and_says_more_beyond_it(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    for n in range(7):
        register(app, f"Förstudie {n}" if n < 3 else f"Genomförande {n}")
    projector.catch_up()

    def page(cap: int, cursor: str | None = None, **search: object) -> RegisterPage:
        question = RegisterSearch(limit=2, cursor=cursor, **search)  # type: ignore[arg-type]
        return search_register(engine, question, PUBLIC, total_cap=cap)

    first = page(10)
    assert (len(first.items), first.total, first.total_is_exact) == (2, 7, True)
    second = page(10, first.next)
    assert (second.total, second.total_is_exact) == (7, True)  # every match, on every page
    assert (page(7).total, page(7).total_is_exact) == (7, True)
    assert (page(6).total, page(6).total_is_exact) == (6, False)
    # Below the cap or above it, the page is the same.
    assert [e.id for e in page(3).items] == [e.id for e in first.items]
    assert [e.id for e in page(3, first.next).items] == [e.id for e in second.items]
    assert [e.id for e in page(1, q="förstudie").items] == [
        e.id for e in page(10, q="förstudie").items
    ]
    assert (page(5).total, page(5).total_is_exact) == (5, False)
    assert (page(5, q="förstudie").total, page(5, q="förstudie").total_is_exact) == (3, True)
    assert (page(2, q="förstudie").total, page(2, q="förstudie").total_is_exact) == (2, False)
    none = page(5, q="slutrapport")
    assert (none.items, none.total, none.total_is_exact) == ([], 0, True)
    default = search_register(engine, RegisterSearch(), AUDITOR)
    assert (default.total, default.total_is_exact) == (7, True)


def test_a_search_over_many_years_pages_newest_first_and_counts_every_year(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    """Matches spread over years, with years between them that hold none (PostgreSQL
    reads them a few years at a time, docs/adr/0031): whatever the page's size and the
    cap, the pages hold every match once, newest first, and each says how many match in
    all years, exactly up to the cap."""
    registered: dict[str, list[tuple[int, int, str]]] = {"vandringsled": [], "cykelled": []}
    for year, words in ((2025, 2), (2024, 0), (2022, 3), (2019, 1), (2016, 4), (2011, 1)):
        for n in range(words + 2):
            word = "vandringsled" if n < words else "cykelled"
            number = register(app, f"{word.capitalize()} etapp {n}", received_on=date(year, 2, 1))
            registered[word].append((year, int(number.split("/")[1]), number))
    projector.catch_up()
    newest_first = [number for *_, number in sorted(registered["vandringsled"], reverse=True)]
    assert len(newest_first) == 11

    for cap in (1, 2, 3, 5, 10, 11, 12, 1000):
        for limit in (1, 2, 4, 50):
            seen, cursor = [], None
            while True:
                question = RegisterSearch(q="vandringsled", limit=limit, cursor=cursor)
                page = search_register(engine, question, PUBLIC, total_cap=cap)
                assert (page.total, page.total_is_exact) == (min(11, cap), cap >= 11)
                seen += [entry.diary_number for entry in page.items]
                if page.next is None:
                    break
                cursor = page.next
            assert seen == newest_first, (cap, limit)
    in_2016 = [number for number in newest_first if number.endswith("/2016")]
    assert found(engine, "vandringsled", year=2016) == in_2016
    assert found(engine, "vandringsled etapp 0", year=2024) == []
    cykelled = [number for *_, number in sorted(registered["cykelled"], reverse=True)]
    few = search_register(engine, RegisterSearch(q="cykelled", limit=3), AUDITOR, total_cap=2)
    assert [entry.diary_number for entry in few.items] == cykelled[:3]
    assert (few.total, few.total_is_exact) == (2, False)


def test_a_rebuilt_register_answers_every_search_as_before(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    generate_history(app, cases=40, seed=41)
    projector.catch_up()
    searches = [
        RegisterSearch(q=q, limit=500)
        for q in (
            "projekt",
            "ansökan 7",
            "svid",
            "lycksele kommun",
            "handling 2",
            "run/1",
            "hofsten",
        )
    ]

    def answers() -> list[tuple[list[str], int]]:
        return [
            ([e.diary_number for e in page.items], page.total)
            for search in searches
            for public in (True, False)
            for page in [search_register(engine, search, PUBLIC if public else AUDITOR)]
        ]

    before = answers()
    assert all(total > 0 for _, total in before)
    projector.rebuild("register")
    assert answers() == before
    # More events after the rebuild are searchable too (the swapped-in index is live).
    number = register(app, "Efter ombyggnaden")
    projector.catch_up()
    assert found(engine, "ombyggnaden") == [number]


def test_cases_registered_before_the_search_migration_are_found_after_it(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    first = app.register_case(
        REGISTER_CASE.model_copy(
            update={
                "title": "Registrerad före sökindexet",
                "applicant": ApplicantDetails(
                    name="Gruvbolaget Malmfälten AB", organisation_number="556677-8899"
                ),
            }
        ),
        OFFICIAL,
    )
    second = register(app, "Också före sökindexet")
    projector.catch_up()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    for revision in ("0003", "head"):
        with writer(engine).begin() as connection:
            config.attributes["connection"] = connection
            if revision == "head":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    assert found(engine, "sökindexet") == [second, first.diary_number]
    assert found(engine, "malmfälten", public=True) == [first.diary_number]
    # A case indexed by the migration changes like any other: its old words go.
    mark_applicant_secret(app, first.id, "OSL 21 kap. 3 §")
    third = register(app, "Efter sökindexet")
    projector.catch_up()
    assert found(engine, "sökindexet") == [third, second, first.diary_number]
    assert found(engine, "malmfälten", public=True) == []
    assert found(engine, "malmfälten") == [first.diary_number]
