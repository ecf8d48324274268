"""CSV answers a spreadsheet opens as data, never as formulas.

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
