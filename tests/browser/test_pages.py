"""What a person does in the web pages, in a browser: search the public diary, read a
case, register a case and a decision, report decisions, read the budget."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from demo.worked_example import STAFF
from domain.values import Role
from tests.browser.conftest import OFFICIAL, SCREENSHOTS, Site, looked_at

TODAY = dt.date.today()
ORDER = {
    "title": "Delegationsordning för regionala utvecklingsnämnden",
    "committee": "Regionala utvecklingsnämnden",
    "valid_from": "2025-01-01",
    "provisions": [
        {
            "point": "8.1",
            "matter": "Deltagande i och medfinansiering av projekt",
            "delegate_title": "Regional utvecklingsdirektör",
            "amount_limit": "500000.00",
        },
        {"point": "8.2", "matter": "Projektmedel", "delegate_title": "Enhetschef"},
    ],
}


def _case(title: str, applicant: dict[str, str], **more: Any) -> dict[str, Any]:
    return {
        "register_prefix": "RUN",
        "title": title,
        "applicant": applicant,
        "project": {
            "name": title,
            "start": "2025-04-01",
            "end": "2026-12-31",
            "purpose": "Stärka småföretag i glesbygd genom designdriven affärsutveckling",
        },
        "received_on": "2025-02-10",
        "case_officer": OFFICIAL,
        **more,
    }


@pytest.fixture(scope="module")
def world(site: Site) -> dict[str, Any]:
    """The staff directory, an order in force, a public case with documents out of date
    order, and a case of a private person with secret parts."""
    present = {m["name"] for m in site.api("GET", "/staff", Role.ADMIN)}
    for member in STAFF:
        if member.name not in present:
            site.api("POST", "/staff", Role.ADMIN, member.model_dump(mode="json"))
    order = site.api("POST", "/delegation-orders", Role.ADMIN, ORDER)["id"]
    public = site.api(
        "POST",
        "/cases",
        Role.OFFICIAL,
        _case(
            "Innovationskluster i Jämtland",
            {
                "name": "Stiftelsen Svensk industridesign (SVID)",
                "organisation_number": "802011-2234",
            },
        ),
    )
    for title, date in (("Komplettering", "2025-03-01"), ("Ansökan", "2025-02-10")):
        site.api(
            "POST",
            f"/cases/{public['id']}/documents",
            Role.OFFICIAL,
            {"title": title, "direction": "incoming", "date": date, "party": "SVID"},
        )
    secret = site.api(
        "POST",
        "/cases",
        Role.OFFICIAL,
        _case(
            "Fjällturism i Jämtland",
            {"name": "Sven Svensson", "organisation_number": "800101-1231"},
            secret={"fields": ["applicant.name", "project.purpose"], "ground": "OSL 31 kap. 16 §"},
        ),
    )
    site.api(
        "POST",
        f"/cases/{secret['id']}/documents",
        Role.OFFICIAL,
        {
            "title": "Affärsplan Sven Svensson",
            "direction": "incoming",
            "date": "2025-02-12",
            "party": "Sven Svensson",
            "secret": {"ground": "OSL 31 kap. 16 §"},
        },
    )
    return {"order": order, "public": public, "secret": secret}


def test_public_search_finds_by_words_number_year_and_party(
    site: Site, world: dict[str, Any], page: Page
) -> None:
    page.goto(f"{site.url}/diarium")
    looked_at(page, "diarium-start")
    page.get_by_label("Sökord").fill("innovationskluster")
    page.get_by_role("button", name="Sök").click()
    expect(page.get_by_role("heading", name="1 ärende")).to_be_visible()
    expect(page.get_by_role("link", name=world["public"]["diary_number"])).to_be_visible()
    looked_at(page, "diarium-sok")

    page.goto(f"{site.url}/diarium?diary_number={world['secret']['diary_number']}")
    expect(page.get_by_role("heading", name="1 ärende")).to_be_visible()
    # The private person's name and number are secret, and never shown.
    content = page.content()
    assert "Svensson" not in content
    assert "800101-1231" not in content
    assert "[Sekretess]" in content

    page.goto(f"{site.url}/diarium?party=SVID&year=2025")
    expect(page.get_by_role("link", name=world["public"]["diary_number"])).to_be_visible()
    # A secret name is not found by searching for it.
    page.goto(f"{site.url}/diarium?party=Svensson")
    expect(page.get_by_role("heading", name="0 ärenden")).to_be_visible()

    page.goto(f"{site.url}/diarium?year=tjugo")
    expect(page.locator("#f-year-error")).to_contain_text("Ange ett år")
    looked_at(page, "diarium-felaktigt-ar")


def test_a_case_page_lists_its_documents_in_date_order(
    site: Site, world: dict[str, Any], page: Page
) -> None:
    number = world["public"]["diary_number"]
    page.goto(f"{site.url}/diarium/{number}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Innovationskluster i Jämtland")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("2025-02-10")
    expect(rows.nth(1)).to_contain_text("Ansökan")
    expect(rows.nth(2)).to_contain_text("2025-03-01")
    looked_at(page, "diarium-arende")

    page.goto(f"{site.url}/diarium/{world['secret']['diary_number']}")
    expect(page.locator(".note")).to_be_visible()
    content = page.content()
    assert "800101-1231" not in content
    assert "Svensson" not in content  # neither the name nor the secret document's title
    looked_at(page, "diarium-arende-sekretess")


def test_an_official_registers_a_case_and_a_decision(
    site: Site, world: dict[str, Any], page: Page
) -> None:
    site.sign_in(page, Role.OFFICIAL)
    looked_at(page, "app-start")
    page.get_by_role("link", name="Registrera ärende").first.click()
    page.get_by_label("Rubrik").fill("Digital mognad i Härjedalen")
    page.get_by_label("Namn").first.fill("Härjedalens kommun")
    page.get_by_label("Organisationsnummer").fill("212000-2411")
    page.get_by_label("Projektnamn").fill("Digital mognad")
    page.get_by_label("Startar").fill("2025-05-01")
    page.get_by_label("Slutar").fill("2026-04-30")
    page.get_by_label("Sökt belopp (kr)").fill("180 000")
    page.get_by_role("button", name="Registrera").click()
    # The purpose was left out: said next to its field, and what was typed is kept.
    expect(page.locator("#f-project-purpose-error")).to_have_text("Fyll i fältet.")
    expect(page.get_by_label("Rubrik")).to_have_value("Digital mognad i Härjedalen")
    looked_at(page, "app-arende-nytt-fel")
    page.get_by_label("Syfte").fill("Fler småföretag använder digitala verktyg")
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_role("status")).to_contain_text("Ärendet är registrerat som RUN/")
    expect(page.locator("dl.facts")).to_contain_text("180 000 kr")

    page.get_by_label("Handlingens rubrik").fill("Ansökan om medfinansiering")
    page.get_by_label("Avsändare/mottagare").fill("Härjedalens kommun")
    page.get_by_role("button", name="Registrera handling").click()
    expect(page.locator("#handlingar + table")).to_contain_text("Ansökan om medfinansiering")
    looked_at(page, "app-arende")

    page.get_by_role("link", name="Föreslå åtagande").click()
    page.get_by_label("Finansiär").fill("Region Jämtland Härjedalen")
    page.get_by_label("Belopp (kr)").fill("150 000")
    page.locator("#f-budget_areas-0-name").fill("Hållbar tillväxt")
    page.locator("#f-budget_areas-0-amount").fill("150 000")
    looked_at(page, "app-atagande")
    page.get_by_role("button", name="Föreslå").click()
    expect(page.locator("#ataganden + table")).to_contain_text("150 000 kr")

    page.get_by_role("link", name="Registrera delegationsbeslut").click()
    page.get_by_label("Delegationspunkt").select_option(
        label=(
            "Delegationsordning för regionala utvecklingsnämnden – 8.1 Deltagande i och "
            "medfinansiering av projekt (Regional utvecklingsdirektör, högst 500 000 kr)"
        )
    )
    page.locator("#f-decided_by-name").fill("Anna Halvarsson")
    page.get_by_label("Beslutsfattarens titel").fill("Utvecklingsstrateg")
    page.get_by_label("Ärendebeskrivning").fill("Regionen medfinansierar projektet.")
    page.get_by_label("Beslutspunkter (en per rad)").fill("Regionen deltar i projektet.")
    page.get_by_label("Region Jämtland Härjedalen, Kontant, 150 000 kr", exact=False).check()
    page.get_by_role("button", name="Registrera beslut").click()
    # The delegate's title is refused in Swedish next to its field and in the summary,
    # the rule named; the rest kept.
    refused = (
        "Punkt 8.1 delegerar till Regional utvecklingsdirektör, inte till Utvecklingsstrateg "
        "(regel: DecisionMakerMustHoldDelegatedTitle)"
    )
    expect(page.locator("#f-decided_by-title-error")).to_have_text(refused)
    expect(page.locator(".refusal")).to_contain_text(refused)
    expect(page.get_by_label("Ärendebeskrivning")).to_have_value(
        "Regionen medfinansierar projektet."
    )
    looked_at(page, "app-beslut-nytt-fel")
    page.get_by_label("Beslutsfattarens titel").fill("Tf. regional utvecklingsdirektör")
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.get_by_role("status")).to_have_text("Beslutet är registrerat.")
    expect(page.locator("dl.facts")).to_contain_text("150 000 kr")
    looked_at(page, "app-beslut")
    page.get_by_role("link", name="Visa och skriv ut beslutet").click()
    expect(page.locator("body")).to_contain_text("Digital mognad i Härjedalen")
    page.screenshot(path=str(SCREENSHOTS / "app-beslutsdokument.png"))


def test_finance_reads_the_budget_as_of_a_day_and_downloads_it(
    site: Site, world: dict[str, Any], page: Page
) -> None:
    case = site.api(
        "POST",
        "/cases",
        Role.OFFICIAL,
        _case(
            "Besöksnäring i fjällen",
            {"name": "Fjällföretagen AB", "organisation_number": "556000-0001"},
        ),
    )
    for financier, amount, areas in (
        ("Region Västernorrland", "240000.00", ["Kultur och bildning", "Hållbar tillväxt"]),
        ("Härjedalens kommun", "60000.00", ["Hållbar tillväxt"]),
    ):
        commitment = site.api(
            "POST",
            "/commitments",
            Role.OFFICIAL,
            {
                "case_id": case["id"],
                "financier": financier,
                "kind": "cash",
                "amount": amount,
                "start": "2025-04-01",
                "end": "2026-12-31",
                "budget_areas": [
                    {"name": a, "amount": str(Decimal(amount) / len(areas))} for a in areas
                ],
            },
        )
        site.api(
            "POST",
            "/decisions",
            Role.OFFICIAL,
            {
                "case_id": case["id"],
                "decided_on": "2025-03-10",
                "decided_by": {
                    "name": "Anna Halvarsson",
                    "title": "Tf. regional utvecklingsdirektör",
                },
                "delegation": {"order_id": world["order"], "point": "8.1"},
                "description": "Medfinansiering",
                "points": ["Regionen medfinansierar."],
                "commitment_ids": [commitment["id"]],
            },
        )
        if financier == "Region Västernorrland":
            site.api(
                "POST",
                f"/commitments/{commitment['id']}/payments",
                Role.FINANCE,
                {"date": "2025-06-30", "amount": "50000", "note": "Första utbetalningen"},
            )
    site.sign_in(page, Role.FINANCE)
    page.get_by_role("link", name="Budget").first.click()
    expect(page.locator("svg#per-ar")).to_be_visible()
    expect(page.locator("svg#per-omrade rect")).not_to_have_count(0)
    page.get_by_label("Finansiär").fill("Region Västernorrland")
    page.get_by_role("button", name="Visa").click()
    expect(page.locator("dl.facts")).to_contain_text("240 000 kr")
    # Paid out is its own figure, beside what is committed.
    expect(page.locator("dl.facts")).to_contain_text("Utbetalt50 000 kr")
    looked_at(page, "app-budget")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = download.value.path().read_text()
    assert text.splitlines()[0].startswith("Finansiär,År,Område,Slag,Beslutat")
    lines = text.splitlines()[1:]
    assert lines
    assert all(line.startswith("Region Västernorrland") for line in lines)
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename == "budget.xlsx"
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Finansiär", "År", "Område", "Slag", "Beslutat")
    assert sum(Decimal(str(r[4])) for r in rows[1:]) == Decimal("240000")
    assert sum(Decimal(str(r[6])) for r in rows[1:]) == Decimal("50000")  # Utbetalt


def test_an_official_reports_two_decisions_to_a_meeting(
    site: Site, world: dict[str, Any], page: Page
) -> None:
    case = site.api(
        "POST",
        "/cases",
        Role.OFFICIAL,
        _case(
            "Kulturarv i Härjedalen",
            {"name": "Härjedalens kulturarv", "organisation_number": "802400-1235"},
        ),
    )
    for amount in ("40000.00", "25000.00"):
        site.api(
            "POST",
            "/decisions",
            Role.OFFICIAL,
            {
                "case_id": case["id"],
                "decided_on": "2025-03-12",
                "decided_by": {
                    "name": "Anna Halvarsson",
                    "title": "Tf. regional utvecklingsdirektör",
                },
                "delegation": {"order_id": world["order"], "point": "8.1"},
                "description": "Medfinansiering av kulturarvsprojekt",
                "points": ["Regionen medfinansierar."],
                "amount": amount,
            },
        )
    site.sign_in(page, Role.OFFICIAL)
    page.get_by_role("link", name="Anmälningslista").first.click()
    page.get_by_label("Nämnd", exact=True).select_option("Regionala utvecklingsnämnden")
    page.get_by_role("button", name="Visa beslut att anmäla").click()
    rows = page.locator("tr", has_text="Kulturarv i Härjedalen")
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_role("checkbox").check()
    rows.nth(1).get_by_role("checkbox").check()
    page.get_by_label("Sammanträdesdatum").fill("2025-04-10")
    page.get_by_role("button", name="Anmäl valda beslut").click()
    # No paragraph: said next to it, and the chosen decisions stay chosen.
    expect(page.locator("#f-paragraph-error")).to_have_text("Fyll i fältet.")
    expect(
        page.locator("tr", has_text="Kulturarv i Härjedalen").get_by_role("checkbox").nth(1)
    ).to_be_checked()
    looked_at(page, "app-anmalningslista")
    page.get_by_label("Paragraf").fill("§ 45")
    page.get_by_role("button", name="Anmäl valda beslut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Regionala utvecklingsnämnden, sammanträde 2025-04-10"
    )
    listed = page.locator("tr", has_text="Kulturarv i Härjedalen")
    expect(listed).to_have_count(2)
    # Both decisions were taken the same day, so the list may give them in either order.
    for amount in ("40 000 kr", "25 000 kr"):
        expect(listed.filter(has_text=amount)).to_have_count(1)
    looked_at(page, "app-sammantrade")
    page.get_by_role("link", name="Skriv ut som nämnden får den").click()
    expect(page.locator("body")).to_contain_text("Kulturarv i Härjedalen")
    page.screenshot(path=str(SCREENSHOTS / "app-sammantrade-utskrift.png"), full_page=True)


def test_an_auditor_steps_through_a_cases_history_and_verifies_the_log(
    site: Site, world: dict[str, Any], page: Page
) -> None:
    site.sign_in(page, Role.AUDITOR)
    page.get_by_role("link", name="Granskning").first.click()
    page.get_by_role("button", name="Kontrollera historiken").click()
    expect(page.get_by_role("status")).to_contain_text("oförändrad till position")
    page.get_by_label("Diarienummer").fill(world["secret"]["diary_number"])
    page.get_by_role("button", name="Visa").click()
    page.get_by_role("link", name=f"Historik för {world['secret']['diary_number']}").click()
    # The auditor reads the secret parts; that read is in the read log.
    expect(page.locator("dl.facts")).to_contain_text("Sven Svensson")
    looked_at(page, "app-granskning-arende")
    # Let go of the slider at the first event: the case as it was registered.
    expect(page.locator("dl.facts")).to_contain_text("Handlingar1")
    page.get_by_label("Visa ärendet som det var efter händelse").fill("1")
    expect(page.get_by_role("heading", name="Ärendet efter händelse 1")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Handlingar0")
    page.goto(f"{site.url}/app/granskning")
    expect(page.locator("#lasloggen + p + table")).to_contain_text(world["secret"]["diary_number"])
    looked_at(page, "app-granskning")


def test_the_pages_work_without_script(
    site: Site, world: dict[str, Any], page_without_script: Page
) -> None:
    """Searching, reading a case, signing in and the history slider are plain forms
    and links. (axe-core needs script, so it runs in the other tests.)"""
    page = page_without_script
    page.goto(f"{site.url}/diarium")
    page.get_by_label("Part").fill("SVID")
    page.get_by_role("button", name="Sök").click()
    page.get_by_role("link", name=world["public"]["diary_number"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Innovationskluster i Jämtland")
    site.sign_in(page, Role.AUDITOR)
    page.goto(f"{site.url}/app/granskning/arenden/{world['public']['id']}")
    page.get_by_label("Visa ärendet som det var efter händelse").fill("2")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", name="Ärendet efter händelse 2")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Handlingar1")


@pytest.mark.postgres
def test_the_e_diarium_and_a_registration_on_postgresql(site_on_postgres: Site, page: Page) -> None:
    """The same pages on the production store: Swedish word forms are found there."""
    site = site_on_postgres
    site.sign_in(page, Role.OFFICIAL)
    page.goto(f"{site.url}/app/arenden/nytt")
    page.get_by_label("Rubrik").fill("Kommunernas innovationsarbete")
    page.get_by_label("Namn").first.fill("Jamtli")
    page.get_by_label("Organisationsnummer").fill("802011-2234")
    page.get_by_label("Projektnamn").fill("Innovationsarbete")
    page.get_by_label("Startar").fill("2025-05-01")
    page.get_by_label("Slutar").fill("2026-04-30")
    page.get_by_label("Syfte").fill("Fler kommuner arbetar med innovation")
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_role("status")).to_contain_text("Ärendet är registrerat som RUN/")
    page.goto(f"{site.url}/diarium?q=kommun")
    expect(page.get_by_role("heading", name="1 ärende")).to_be_visible()
    page.get_by_role("link", name="RUN/1/").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kommunernas innovationsarbete")
    looked_at(page, "diarium-postgresql")
