"""The finance dashboard: `GET /budget/totals` as charts and a table, and downloads.

The figures come from `budget_totals`, as the API's; what the table shows (by
financier, year, area and kind, filtered as asked, as of a day) is what CSV and XLSX
downloads hold.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from application.budget.queries import BudgetQuestion, BudgetRow, budget_totals
from domain.values import Role
from interfaces.http.deps import ReadModels
from interfaces.http.spreadsheets import XLSX, csv_text, xlsx_bytes
from interfaces.web.charts import grouped_bars, stacked_bars
from interfaces.web.formatting import kind_name
from interfaces.web.rendering import render
from interfaces.web.session import staff

router = APIRouter(prefix="/app/budget", include_in_schema=False)

Text = Annotated[str, Query(max_length=200)]
TABLE = ("financier", "year", "area", "kind")
FIGURES = ("committed", "used", "paid", "reclaimed", "released", "remaining", "framed")
HEADINGS = {
    "financier": "Finansiär",
    "year": "År",
    "area": "Område",
    "kind": "Slag",
    "committed": "Beslutat",
    "used": "Utnyttjat",
    "paid": "Utbetalt",
    "reclaimed": "Återkrävt",
    "released": "Återfört",
    "remaining": "Kvar",
    "framed": "Budgetram",
}
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


class _Asked:
    """The filters as typed, and as a question (or errors per field)."""

    def __init__(self, financier: str, year: str, area: str, kind: str, as_of: str) -> None:
        self.values = {
            "financier": financier,
            "year": year,
            "area": area,
            "kind": kind,
            "as_of": as_of,
        }
        self.errors: dict[str, str] = {}
        number = None
        if year.strip():
            try:
                number = int(year)
                if not 1900 <= number <= 2200:
                    raise ValueError
            except ValueError:
                self.errors["year"] = "Ange ett år mellan 1900 och 2200."
        day = None
        if as_of.strip():
            try:
                day = dt.date.fromisoformat(as_of.strip())
            except ValueError:
                self.errors["as_of"] = "Ange ett datum som 2025-04-10."
        self.question = BudgetQuestion(
            financier=financier.strip() or None,
            year=number,
            area=area.strip() or None,
            kind=kind if kind in ("cash", "in_kind") else None,
            as_of=day,
        )

    def grouped(self, *groups: str) -> BudgetQuestion:
        q = self.question
        return BudgetQuestion(q.financier, q.year, q.area, q.kind, q.as_of, groups)

    def query(self) -> str:
        return urlencode({k: v for k, v in self.values.items() if v.strip()})


def _asked(
    financier: Text = "",
    year: Annotated[str, Query(max_length=10)] = "",
    area: Text = "",
    kind: Annotated[str, Query(max_length=10)] = "",
    as_of: Annotated[str, Query(max_length=20)] = "",
) -> _Asked:
    return _Asked(financier, year, area, kind, as_of)


# The filters of the dashboard and of its downloads, as the query string gives them.
Asked = Annotated[_Asked, Depends(_asked)]


def _figures(row: BudgetRow) -> dict[str, Decimal]:
    return {f: Decimal(getattr(row, f) or 0) for f in FIGURES}


@router.get("", response_class=HTMLResponse)
async def dashboard(request: Request, read_models: ReadModels, asked: Asked) -> HTMLResponse:
    staff(request, Role.FINANCE, Role.AUDITOR)
    if asked.errors:
        return render(
            request,
            "app/budget.html",
            status_code=422,
            values=asked.values,
            errors=asked.errors,
            rows=[],
            total=None,
            charts=[],
            columns=[(c, HEADINGS[c]) for c in FIGURES],
            query="",
        )
    by_year, by_area, rows, total = await run_in_threadpool(_read, read_models, asked)
    charts = [
        grouped_bars(
            "per-ar",
            "Beslutat och utnyttjat per år",
            [(str(r.year), _figures(r)) for r in by_year],
            ["committed", "used"],
        ),
        stacked_bars(
            "per-omrade",
            "Utnyttjat, återfört och kvar per budgetområde",
            [(r.area or "", _figures(r)) for r in by_area],
            ["used", "released", "remaining"],
        ),
    ]
    return render(
        request,
        "app/budget.html",
        values=asked.values,
        errors={},
        rows=rows,
        total=total,
        charts=charts,
        columns=[(c, HEADINGS[c]) for c in FIGURES],
        by_year=by_year,
        by_area=by_area,
        query=asked.query(),
    )


def _read(
    read_models: ReadModels, asked: _Asked
) -> tuple[list[BudgetRow], list[BudgetRow], list[BudgetRow], BudgetRow | None]:
    by_year = budget_totals(read_models, asked.grouped("year"))
    by_area = budget_totals(read_models, asked.grouped("area"))
    rows = budget_totals(read_models, asked.grouped(*TABLE))
    totals = budget_totals(read_models, asked.grouped())
    return by_year, by_area, rows, totals[0] if totals else None


def _table(read_models: ReadModels, asked: _Asked) -> list[dict[str, object]]:
    return [
        {
            **{k: getattr(r, k) for k in TABLE},
            "kind": kind_name(r.kind),
            **{f: None if getattr(r, f) is None else Decimal(getattr(r, f)) for f in FIGURES},
        }
        for r in budget_totals(read_models, asked.grouped(*TABLE))
    ]


@router.get("/budget.{file_type}")
async def download(
    request: Request, read_models: ReadModels, asked: Asked, file_type: Literal["csv", "xlsx"]
) -> Response:
    """The table shown, as CSV or XLSX: amounts as plain numbers a spreadsheet can sum."""
    staff(request, Role.FINANCE, Role.AUDITOR)
    rows = [] if asked.errors else await run_in_threadpool(_table, read_models, asked)
    columns = [*TABLE, *FIGURES]
    headings = [HEADINGS[c] for c in columns]
    cells = ({HEADINGS[c]: row[c] for c in columns} for row in rows)
    body = csv_text(headings, cells) if file_type == "csv" else xlsx_bytes(headings, cells)
    return Response(
        body,
        media_type=DOWNLOADS[file_type],
        headers={
            "Content-Disposition": f'attachment; filename="{_name(asked)}.{file_type}"',
            "Cache-Control": "no-store",
        },
    )


def _name(asked: _Asked) -> str:
    day = asked.question.as_of
    return f"budget-{day.isoformat()}" if day else "budget"
