"""Reading a campaign's list of people from CSV or Excel, checked row by row.

Every row is checked before anything is stored: a missing name, a phone number that is not a
valid number of the campaign's region (``phonenumbers``, Google's libphonenumber), a number
that appears twice, or a bad time zone is reported with its row, and the list is refused whole
(:class:`ImportReport` lists every problem). Numbers are stored in E.164: ``010-1234-5678``
with region ``KR`` is ``+821012345678``; ``(555) 010-0100`` with ``US`` is ``+15550100100``.

Columns (first row, any order, case-insensitive; Korean headers accepted):

* ``name`` / ``person`` / ``이름`` / ``성함`` (required)
* ``phone`` / ``to`` / ``number`` / ``전화번호`` / ``연락처`` (required)
* ``timezone`` / ``시간대`` (optional: the person's own time zone)
* any other column is kept with the person (``extra``, e.g. a note for the care team)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import phonenumbers
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from agent.campaigns.policy import check_timezone
from common.errors import InputError

__all__ = ["ImportProblem", "ImportReport", "PersonRow", "normalise_phone", "read_people"]

_NAME_KEYS = ("name", "person", "이름", "성함")
_PHONE_KEYS = ("phone", "to", "number", "전화번호", "연락처", "휴대폰")
_TZ_KEYS = ("timezone", "time zone", "시간대")
#: At most this many people in one file (a city's list is a few thousand).
MAX_ROWS = 100_000


@dataclass(frozen=True)
class PersonRow:
    """A checked row: who to call.

    Attributes:
        row: the row number in the file (the header is row 1).
        name: the person's name as written.
        phone: E.164.
        timezone: the person's own IANA time zone, if the file gives one.
        extra: the other columns, as text.
    """

    row: int
    name: str
    phone: str
    timezone: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportProblem:
    """One bad row: where and what."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    """The people of a file and its problems (nothing is stored unless ``problems`` is empty)."""

    source: str
    people: tuple[PersonRow, ...]
    problems: tuple[ImportProblem, ...]

    @property
    def ok(self) -> bool:
        """Whether every row is good."""
        return not self.problems

    def error(self) -> InputError:
        """One error naming every problem (``FILE: row N: column: message`` per line)."""
        lines = [f"{self.source}: {p}" for p in self.problems]
        head = f"{self.source}: {len(self.problems)} bad row(s), nothing imported"
        return InputError("\n".join([head, *lines]))


def normalise_phone(raw: str, region: str) -> str:
    """``raw`` as E.164 (``010-1234-5678``, ``KR`` -> ``+821012345678``).

    Raises:
        InputError: not a valid phone number of ``region`` (or of the country it names).
    """
    text = (raw or "").strip()
    if not text:
        raise InputError("missing phone number")
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException as e:
        raise InputError(f"{raw!r} is not a phone number ({e})") from None
    if not phonenumbers.is_valid_number(number):
        raise InputError(f"{raw!r} is not a valid {region.upper()} phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _key(header: Any) -> str:
    return str(header or "").strip().lower()


def _rows_of_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        # Korean Excel saves CSV as CP949 (EUC-KR) unless told otherwise
        try:
            text = path.read_text(encoding="cp949")
        except (UnicodeDecodeError, OSError) as e:
            raise InputError(f"{path}: not UTF-8 or CP949 text: {e}") from e
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e}") from e
    yield from enumerate(csv.reader(io.StringIO(text)), start=1)


def _rows_of_excel(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as e:
        raise InputError(f"{path}: not a readable Excel workbook (.xlsx): {e}") from e
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        # a phone typed into Excel as a number lost its leading 0: 1012345678 -> 01012345678
        text = str(value)
        return "0" + text if len(text) in (9, 10) and text[0] == "1" else text
    return str(value).strip()


def read_people(path: Path, *, region: str) -> ImportReport:
    """Read and check every row of a CSV (``.csv``) or Excel (``.xlsx``) list of people.

    Args:
        path: the file.
        region: ISO country of numbers written without ``+`` (``KR``: ``010-...``).

    Returns:
        The people and every problem found (the caller stores nothing if there is one).

    Raises:
        InputError: the file cannot be read, has no usable header, or is empty.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows: Iterable[tuple[int, list[str]]] = _rows_of_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _rows_of_excel(path)
    else:
        raise InputError(f"{path}: a list of people is a .csv or .xlsx file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    iterator = iter(rows)
    header: list[str] | None = None
    for _number, values in iterator:
        if any(v.strip() for v in values):
            header = [_key(v) for v in values]
            break
    if header is None:
        raise InputError(f"{path}: the file is empty")
    name_col = next((i for i, h in enumerate(header) if h in _NAME_KEYS), None)
    phone_col = next((i for i, h in enumerate(header) if h in _PHONE_KEYS), None)
    tz_col = next((i for i, h in enumerate(header) if h in _TZ_KEYS), None)
    if name_col is None or phone_col is None:
        raise InputError(
            f"{path}: row 1: the header needs a name column (name / 이름) and a phone column "
            f"(phone / 전화번호); found {', '.join(h for h in header if h) or 'nothing'}"
        )
    people: list[PersonRow] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for number, values in iterator:
        if not any(v.strip() for v in values):
            continue
        if len(people) + len(problems) >= MAX_ROWS:
            raise InputError(f"{path}: more than {MAX_ROWS} rows; split the list")
        cells = [*values, *[""] * (len(header) - len(values))]
        name = cells[name_col].strip()
        raw_phone = cells[phone_col].strip()
        bad = False
        if not name:
            problems.append(ImportProblem(number, header[name_col], "missing name"))
            bad = True
        try:
            phone = normalise_phone(raw_phone, region)
        except InputError as e:
            problems.append(ImportProblem(number, header[phone_col], str(e)))
            phone, bad = "", True
        if phone and phone in seen:
            problems.append(
                ImportProblem(number, header[phone_col], f"{phone} is already on row {seen[phone]}")
            )
            bad = True
        elif phone:
            seen[phone] = number
        timezone = cells[tz_col].strip() if tz_col is not None else ""
        if timezone:
            try:
                check_timezone(timezone)
            except InputError as e:
                problems.append(ImportProblem(number, header[tz_col or 0], str(e)))
                bad = True
        if bad:
            continue
        extra = {
            header[i]: cells[i].strip()
            for i in range(len(header))
            if i not in (name_col, phone_col, tz_col) and header[i] and cells[i].strip()
        }
        people.append(PersonRow(number, name, phone, timezone or None, extra))
    if not people and not problems:
        raise InputError(f"{path}: no people after the header")
    return ImportReport(str(path), tuple(people), tuple(problems))
