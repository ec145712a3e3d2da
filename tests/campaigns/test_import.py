"""Importing people: CSV and Excel, Korean and English names, Korean and US numbers, every bad
row reported with its row, nothing half-imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from agent.campaigns import Campaigns, CampaignSpec, read_people
from agent.campaigns.importer import normalise_phone
from common.errors import InputError
from tests.campaigns.conftest import people_csv


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("010-1234-5678", "KR", "+821012345678"),
        ("01012345678", "KR", "+821012345678"),
        ("+82 10 1234 5678", "KR", "+821012345678"),
        ("02-312-3456", "KR", "+8223123456"),  # a Seoul landline
        ("(201) 555-0123", "US", "+12015550123"),
        ("+1 201 555 0123", "KR", "+12015550123"),  # written with its country: any region
    ],
)
def test_numbers_are_normalised_to_e164(raw: str, region: str, e164: str) -> None:
    assert normalise_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["12345", "010-1234", "not a number", "+82 10", ""])
def test_bad_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InputError):
        normalise_phone(raw, "KR")


def test_a_csv_with_korean_and_english_people(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "이름,전화번호,메모,timezone\n"
        "김영희,010-1234-5678,무릎 수술,\n"
        "John Smith,+1 (201) 555-0123,,America/New_York\n",
        encoding="utf-8",
    )
    report = read_people(path, region="KR")
    assert report.ok
    first, second = report.people
    assert (first.row, first.name, first.phone, first.timezone) == (
        2,
        "김영희",
        "+821012345678",
        None,
    )
    assert first.extra == {"메모": "무릎 수술"}
    assert (second.name, second.phone, second.timezone) == (
        "John Smith",
        "+12015550123",
        "America/New_York",
    )


def test_every_bad_row_is_reported_with_its_row(tmp_path: Path) -> None:
    path = people_csv(
        tmp_path / "people.csv",
        [
            ("김영희", "010-1234-5678"),
            ("", "010-2222-3333"),  # row 3: no name
            ("박철수", "010-1234-5678"),  # row 4: same number as row 2
            ("이순신", "12345"),  # row 5: not a number
            ("Mary", "(201) 555-0199"),  # row 6: a US number without +1 in a KR list
        ],
    )
    report = read_people(path, region="KR")
    assert not report.ok
    problems = {(p.row, p.column) for p in report.problems}
    assert problems == {(3, "name"), (4, "phone"), (5, "phone"), (6, "phone")}
    message = str(report.error())
    assert "row 4: phone: +821012345678 is already on row 2" in message
    assert "row 3: name: missing name" in message
    assert "nothing imported" in message.splitlines()[0]


def test_an_excel_list_reads_like_a_csv(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["성함", "연락처", "비고"])
    sheet.append(["김영희", "010-1234-5678", "혼자 사심"])
    sheet.append(["박철수", 1022223333, None])  # typed as a number: Excel dropped the 0
    sheet.append([None, None, None])  # an empty row is skipped
    sheet.append(["Jane Doe", "+1 201 555 0123", None])
    sheet.append(["이순신", "abc", None])
    path = tmp_path / "people.xlsx"
    book.save(path)
    report = read_people(path, region="KR")
    assert [(p.row, p.name, p.phone) for p in report.people] == [
        (2, "김영희", "+821012345678"),
        (3, "박철수", "+821022223333"),
        (5, "Jane Doe", "+12015550123"),
    ]
    assert [(p.row, p.column) for p in report.problems] == [(6, "연락처")]


def test_a_korean_excel_csv_in_cp949_is_read(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("이름,전화번호\n김영희,010-1234-5678\n".encode("cp949"))
    (person,) = read_people(path, region="KR").people
    assert person.name == "김영희"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", "who,where\nA,B\n", "header needs a name column"),
        ("people.csv", "", "empty"),
        ("people.txt", "name,phone\n", ".csv or .xlsx"),
        ("people.xlsx", "not a workbook", "not a readable Excel workbook"),
    ],
)
def test_unusable_files_are_one_clear_error(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_people(path, region="KR")


def test_nothing_is_half_imported(campaigns: Campaigns, tmp_path: Path) -> None:
    campaigns.create(CampaignSpec("gangnam", "carecall-ko"))
    good = people_csv(
        tmp_path / "a.csv", [("김영희", "010-1234-5678"), ("박철수", "010-2222-3333")]
    )
    assert campaigns.import_people("gangnam", read_people(good, region="KR")) == 2
    # a second list with one number already in the campaign: refused whole, row named
    second = people_csv(
        tmp_path / "b.csv", [("이순신", "010-3333-4444"), ("김영희", "01012345678")]
    )
    with pytest.raises(InputError, match=r"row 3: phone: \+821012345678 is already in campaign"):
        campaigns.import_people("gangnam", read_people(second, region="KR"))
    bad = people_csv(tmp_path / "c.csv", [("이순신", "010-3333-4444"), ("", "010-5555-6666")])
    with pytest.raises(InputError, match="row 3: name: missing name"):
        campaigns.import_people("gangnam", read_people(bad, region="KR"))
    assert campaigns.get("gangnam").people == 2
    assert [p.name for p in campaigns.report("gangnam", 0).people] == []  # no attempts yet
