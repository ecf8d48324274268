"""CSV and XLSX answers a spreadsheet opens as data, never as formulas.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
Excel and LibreOffice as a formula (CSV or formula injection: `=HYPERLINK(...)` sends
whoever clicks to an attacker's site, with other cells in the address). Such a text
cell gets a leading single quote, as OWASP advises, and is shown as typed; a plain
decimal number (an amount, negative ones too) stays a number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import get_args
from uuid import UUID

from fastapi import Response
from openpyxl.cell import WriteOnlyCell
from pydantic import BaseModel

from interfaces.http.negotiation import best_match

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def neutralised(value: object) -> object:
    """The cell as a spreadsheet should show it: text that would start a formula gets a
    leading `'`; everything else is left as it is."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    return value if PLAIN_NUMBER.fullmatch(value) else f"'{value}"


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """Rows as CSV (RFC 4180 line ends) with a header line, every cell neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: neutralised(row.get(column)) for column in columns})
    return out.getvalue()


# --- Lists as CSV or XLSX ----------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What every list offers; JSON first, so a client that says nothing gets it.
LIST_TYPES = ("application/json", "text/csv", XLSX)
FORMATS = {"json": "application/json", "csv": "text/csv", "xlsx": XLSX}
AMOUNT_FORMAT = "#,##0.00"


def columns_of(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The model's fields as columns, a nested record's fields as `outer.inner`."""
    columns = []
    for name, info in model.model_fields.items():
        nested = _record_type(info.annotation)
        if nested is None:
            columns.append(f"{prefix}{name}")
        else:
            columns += columns_of(nested, f"{prefix}{name}.")
    return columns


def _record_type(annotation: object) -> type[BaseModel] | None:
    candidates = [annotation, *get_args(annotation)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def flat(item: BaseModel) -> dict[str, object]:
    """A record's cells by column: amounts as Decimal, days as dates, ids as text."""
    cells: dict[str, object] = {}

    def walk(value: object, prefix: str) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{prefix}{name}.")
            return
        column = prefix[:-1]
        if isinstance(value, list | tuple):
            cells[column] = "; ".join(str(v) for v in value)
        elif isinstance(value, UUID | StrEnum):
            cells[column] = str(value)
        else:
            cells[column] = value

    walk(item, "")
    return cells


def list_media_type(accept: str, format: str | None) -> str | None:
    """What a list is answered as: `?format=` (a link a browser follows), else Accept."""
    if format is not None:
        return FORMATS.get(format)
    return best_match(accept, LIST_TYPES)


def list_response(
    media_type: str, name: str, model: type[BaseModel], items: Sequence[BaseModel]
) -> Response:
    """The items as a CSV or XLSX download named `name` (.csv, .xlsx)."""
    columns = columns_of(model)
    rows = [flat(item) for item in items]
    headers = {"Vary": "Accept"}
    if media_type == "text/csv":
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        text = csv_text(columns, ({k: _csv_cell(v) for k, v in row.items()} for row in rows))
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return Response(xlsx_bytes(columns, rows), media_type=XLSX, headers=headers)


def _csv_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:.2f}"  # a plain number a spreadsheet sums
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def xlsx_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> bytes:
    """One sheet: a header row, then a row per record. Amounts are numbers (formatted
    with two decimals), days are dates, text is text: never a formula."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Lista")
    sheet.append(list(columns))
    for row in rows:
        cells: list[object] = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, Decimal):
                # openpyxl writes a Decimal's digits as they are (its NUMERIC_TYPES);
                # its type stubs name float only.
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                cell.number_format = AMOUNT_FORMAT
                cells.append(cell)
            elif isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, even if it starts with '='
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
