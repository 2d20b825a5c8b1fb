"""The one rule for every cell of every CSV and XLSX the bot writes: typed text never becomes a formula.

A spreadsheet runs a cell that starts with = + - @ (and, in some programs, a tab or carriage return) as a formula:
a trainee's "town" `=HYPERLINK("http://evil", "Hit")` would become a live link in a coordinator's Excel (OWASP
"CSV injection"). Spreadsheets skip leading spaces and invisible marks and read full-width ＝ ＋ － ＠ as the ASCII
ones, so the check looks past those too.

- CSV: such a text gets a leading single quote, which Excel and LibreOffice show as plain text.
- XLSX: every text is written as a string cell (never a formula), with Excel's "quote prefix" flag on formula-like
  ones so it stays text when someone edits it.

Numbers stay numbers: ints and floats pass untouched, and a text that is only a number ("-5", "+3.5", "-12%") is
not a formula and stays readable as it is.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is imported on first use (some 25 MB): only the XLSX writer needs it
    from openpyxl.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_START = frozenset("=+-@\t\r\n")
# Characters a spreadsheet passes over before it decides what a cell is: spaces and invisible format marks.
_SKIPPED = re.compile(r"^[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u061c\u180e]+")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?%?$")
# Look-alikes NFKC leaves alone but a reader could take for a sign.
_SIGNS = str.maketrans({"\u2212": "-", "\u2796": "-", "\u2795": "+"})


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read this text as a formula (a plain number such as "-5" is not one)."""
    if _PLAIN_NUMBER.fullmatch(text.strip(" ")):
        return False
    if text[:1] in FORMULA_START:
        return True
    visible = _SKIPPED.sub("", unicodedata.normalize("NFKC", text).translate(_SIGNS))
    if _PLAIN_NUMBER.fullmatch(visible):
        return False
    return visible[:1] in FORMULA_START


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: formula-like text gets a leading single quote; anything else as is."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """A whole CSV, every cell through `csv_cell`; UTF-8 with a BOM so Excel shows Arabic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_cell(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False, number_format: str | None = None) -> Cell:
    """An XLSX cell: text is always a string cell (never a formula, never an error code); numbers and dates stay
    themselves. Every cell of every sheet the bot writes is made here."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    if number_format:
        cell.number_format = number_format
    return cell


def xlsx_row(sheet: WriteOnlyWorksheet, values: Sequence[Any]) -> list[Cell]:
    """A row of cells for `sheet.append`, each through `xlsx_cell`."""
    return [xlsx_cell(sheet, value) for value in values]
