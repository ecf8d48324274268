"""The web pages in a real browser: Debian's Chromium driven by Playwright, against
the service run by uvicorn (`fundcase serve`) on SQLite, one server and one browser
for the whole session. Every page a test visits is checked with axe-core and
photographed into test-output/screenshots/ for a person to look at."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from psycopg import sql
from pydantic import SecretStr

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from tests.conftest import POSTGRES_URL, free_port

CHROMIUM = Path("/usr/bin/chromium")
# Chromium on Linux formats date inputs in its own language (LANGUAGE), and only in one
# whose translation is installed: Debian's chromium-l10n.
SWEDISH_CHROMIUM = Path("/usr/lib/chromium/locales/sv.pak")
SECRET = "browser-test-secret-that-is-long-enough-for-hs256"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
OFFICIAL = {"name": "Åsa Hofsten", "unit": "Näringsliv och samhällsbyggnad"}


@dataclass
class Site:
    """The running service: its address, tokens for the API, tickets for the pages."""

    url: str
    tokens: Tokens

    def api(self, method: str, path: str, role: Role, body: Any = None) -> Any:
        # An admin enters others in the staff directory, never themselves.
        subject = "systemadministrator" if role is Role.ADMIN else "asa.hofsten"
        token = self.tokens.issue(
            subject=subject, name=OFFICIAL["name"], roles=[role], unit=OFFICIAL["unit"]
        )
        response = httpx.request(
            method,
            f"{self.url}/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code < 300, response.text
        return response.json()

    def sign_in(self, page: Page, *roles: Role, name: str = OFFICIAL["name"]) -> None:
        """Sign in as `fundcase sign-in-link` lets a person: open the link, press the button."""
        ticket = self.tokens.issue_ticket(
            subject=name.lower().replace(" ", "."),
            name=name,
            roles=list(roles),
            title="Utvecklingsstrateg",
            unit=OFFICIAL["unit"],
        )
        page.goto(f"{self.url}/app/logga-in/lank?biljett={ticket}")
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{self.url}/app")


@contextmanager
def _served(folder: Path, database_url: str) -> Iterator[Site]:
    """`fundcase serve` (uvicorn) on a free port, until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "FUNDCASE_DATABASE_URL": database_url,
        "FUNDCASE_SECRET": SECRET,
        "FUNDCASE_PUBLIC_RATE_LIMIT": "1000000/minute",
        "FUNDCASE_FILES_DIR": str(folder / "files"),
    }
    fundcase = Path(sys.executable).with_name("fundcase")
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        [str(fundcase), "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "serve.log").read_text())
            time.sleep(0.2)
        yield Site(url, Tokens(Settings(secret=SecretStr(SECRET))))
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The service on SQLite, shared by the session's browser tests."""
    folder = tmp_path_factory.mktemp("browser")
    with _served(folder, f"sqlite:///{folder / 'fundcase.db'}") as served:
        yield served


@pytest.fixture(scope="package")
def site_on_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The service on PostgreSQL, in a schema of its own."""
    schema = f"browser_{uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        with _served(
            tmp_path_factory.mktemp("browser-pg"), f"{POSTGRES_URL}?schema={schema}"
        ) as served:
            yield served
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


# Package scope, not session: Playwright's synchronous API keeps an event loop running
# in the test thread until it stops, and tests after these use asyncio.run().
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("The browser tests need Debian's Chromium: apt-get install -y chromium")
    if not SWEDISH_CHROMIUM.exists():
        pytest.fail(
            "The browser tests need Chromium in Swedish (date inputs as 2026-11-25): "
            "apt-get install -y chromium-l10n"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--lang=sv-SE"],
            env={**os.environ, "LANGUAGE": "sv"},
        )
        yield launched
        launched.close()


# A Swedish official's browser: dates in inputs read 2026-11-25, not 11/25/2026.
SWEDISH: dict[str, Any] = {
    "locale": "sv-SE",
    "timezone_id": "Europe/Stockholm",
    "viewport": {"width": 1280, "height": 900},
}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(**SWEDISH)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def page_without_script(browser: Browser) -> Iterator[Page]:
    """A browser that runs no JavaScript: the pages must work all the same."""
    context: BrowserContext = browser.new_context(**SWEDISH, java_script_enabled=False)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


AXE = Axe()


def looked_at(page: Page, name: str) -> None:
    """A screenshot of the page for a person, and no serious or critical finding of
    axe-core (WCAG 2.1 A and AA rules) on it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not found, f"{name}: " + "; ".join(found)
    assert page.locator("html").get_attribute("lang") == "sv"
