"""Reading a register's export: CSV as Swedish Excel writes it, XLSX, or JSON Lines.

Every format becomes the same table: the header's column names and, for each row, its
number as the user sees it (the spreadsheet's row, the line of a JSON Lines file) and
its cells. Nothing is interpreted here but the file's own structure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from application.imports.rules import (
    ColumnMustAppearOnce,
    ImportFileMustBeReadable,
    ImportFileMustHaveRows,
)
from domain.rules import check

# What a cell can hold: text, or a spreadsheet's number or date, or (JSON) a list of texts.
Cell = str | int | Decimal | dt.date | list[str] | None


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Table:
    format: str
    encoding: str | None
    columns: list[str]
    rows: list[Row]


def read_table(name: str, content: bytes) -> Table:
    """The file's columns and rows; a file that cannot be read is refused as a whole."""
    if content.startswith(b"PK\x03\x04") or name.lower().endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(content)
    elif name.lower().endswith((".jsonl", ".ndjson")) or content.lstrip().startswith(b"{"):
        table = _read_json_lines(content)
    else:
        table = _read_csv(content)
    for column in set(table.columns):
        check(ColumnMustAppearOnce(column, table.columns.count(column)), "file")
    check(ImportFileMustHaveRows(len(table.rows)), "file")
    return table


def decode_text(content: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), else Windows-1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return _decode(content[3:], "utf-8"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _decode(content, "cp1252"), "cp1252"


def _decode(content: bytes, encoding: str) -> str:
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as error:
        check(
            ImportFileMustBeReadable(
                f"byte {error.start} is neither UTF-8 nor Windows-1252 text; "
                "save it as CSV (UTF-8) and try again"
            ),
            "file",
        )
        raise
    check(ImportFileMustBeReadable("it holds NUL bytes" if "\0" in text else None), "file")
    return text


def _read_csv(content: bytes) -> Table:
    text, encoding = decode_text(content)
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    # Swedish Excel separates with ';' (the comma is the decimal sign); others with ','.
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as error:
        check(ImportFileMustBeReadable(f"line {reader.line_num}: {error}"), "file")
        raise
    records = [(n, r) for n, r in records if any(cell.strip() for cell in r)]
    if not records:
        return Table("csv", encoding, [], [])
    columns = [c.strip() for c in records[0][1]]
    rows = []
    for number, record in records[1:]:
        check(
            ImportFileMustBeReadable(
                None
                if len(record) <= len(columns) or not any(c.strip() for c in record[len(columns) :])
                else f"row {number} has {len(record)} cells but the header names {len(columns)}"
            ),
            "file",
        )
        cells: dict[str, Cell] = {
            c: (v if v.strip() else None) for c, v in zip(columns, record, strict=False)
        }
        rows.append(Row(number, cells))
    return Table("csv", encoding, columns, rows)


def _read_json_lines(content: bytes) -> Table:
    text, encoding = decode_text(content)
    columns: list[str] = []
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            check(ImportFileMustBeReadable(f"line {number} is not JSON: {error.msg}"), "file")
            raise
        check(
            ImportFileMustBeReadable(
                None if isinstance(record, dict) else f"line {number} is not a JSON object"
            ),
            "file",
        )
        cells: dict[str, Cell] = {}
        for key, value in record.items():
            if key not in columns:
                columns.append(key)
            cells[key] = _json_cell(value)
        rows.append(Row(number, cells))
    return Table("jsonl", encoding, columns, rows)


def _json_cell(value: object) -> Cell:
    if value is None or isinstance(value, str):
        return value if value is None or value.strip() else None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    # A nested value is kept as its JSON: a column that is ignored may hold anything,
    # and a field given one reads it as text (and refuses it by its own rules).
    return json.dumps(value, ensure_ascii=False)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook  # only an XLSX import pays for loading it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        check(ImportFileMustBeReadable(f"it is not an XLSX workbook ({error})"), "file")
        raise
    sheet = workbook.worksheets[0]
    columns: list[str] = []
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_xlsx_cell(v) for v in values]
        if all(c is None for c in cells):
            continue
        if not columns:
            columns = [str(c).strip() if c is not None else "" for c in cells]
            while columns and not columns[-1]:
                columns.pop()
            continue
        rows.append(Row(number, dict(zip(columns, cells, strict=False))))
    workbook.close()
    return Table("xlsx", None, columns, rows)


def _xlsx_cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(str(value))
    text = str(value)
    return text if text.strip() else None
