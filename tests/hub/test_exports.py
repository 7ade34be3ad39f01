"""hub.exports: tables to CSV/XLSX that a spreadsheet opens without running anything."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hub.exports import Table, defused, download, tables_csv, tables_xlsx

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _table(**kwargs):
    return Table(
        title=kwargs.pop("title", "满意度"),
        headers=["名称", "数值", "日期"],
        rows=[
            ["张三", Decimal("76.25"), dt.date(2026, 3, 31)],
            *[[text, -5, None] for text in HOSTILE],
        ],
        **kwargs,
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_defused_prefixes_every_formula_start(text):
    assert defused(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "1-2", 5, -5, Decimal("-1.5"), None])
def test_defused_leaves_other_values_alone(value):
    assert defused(value) == value


def test_csv_has_bom_titles_and_defused_text_but_plain_numbers():
    data = tables_csv([_table(), _table(title="第二")])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["满意度"]
    assert rows[1] == ["名称", "数值", "日期"]
    assert rows[2] == ["张三", "76.25", "2026-03-31"]
    assert [r[0] for r in rows[3:9]] == ["'" + t for t in HOSTILE]
    assert [r[1] for r in rows[3:9]] == ["-5"] * 6  # a negative number is not text
    assert rows[9] == [] and rows[10] == ["第二"]


def test_xlsx_parses_keeps_numbers_and_stores_formulas_as_text():
    book = load_workbook(io.BytesIO(tables_xlsx([_table(), _table()])))
    assert len(book.sheetnames) == 2 and len(set(book.sheetnames)) == 2
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "满意度"
    assert [c.value for c in sheet[2]] == ["名称", "数值", "日期"]
    assert sheet["B3"].value == pytest.approx(76.25)
    texts = [sheet.cell(row=4 + i, column=1) for i in range(len(HOSTILE))]
    assert all(cell.data_type == "s" for cell in texts)
    assert texts[0].value == HOSTILE[0]
    assert sheet["B4"].value == -5


def test_sheet_names_are_legal():
    book = load_workbook(io.BytesIO(tables_xlsx([_table(title="a/b:c*" + "x" * 40)])))
    name = book.sheetnames[0]
    assert len(name) <= 31 and not set(name) & set("[]*?/\\:")


def test_download_names_the_file_and_refuses_unknown_formats():
    response = download([_table()], fmt="xlsx", filename="session 12 报告")
    assert response["Content-Disposition"] == 'attachment; filename="session-12.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with pytest.raises(ValueError):
        download([_table()], fmt="pdf", filename="x")
