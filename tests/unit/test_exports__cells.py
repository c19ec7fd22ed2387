"""Export cells: formulas made harmless, values typed, every column header translated; XLSX sheets."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from api.exports import TITLES, chunks, xlsx_writer
from api.exports.cells import guarded, typed
from api.ui import i18n
from channels import exports as channel_exports
from workflows.services import exports as engine_exports
from workflows.services.tabular import Column, Table

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADERS = {column.title for module in (engine_exports, channel_exports) for name in dir(module)
           if name.endswith("_COLUMNS") for column in getattr(module, name)}


@pytest.mark.parametrize("text", ["=1+2", "+86 571", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_text_that_starts_like_a_formula_gets_a_leading_quote(text: str) -> None:
    assert guarded(text) == "'" + text


def test_other_text_and_numbers_are_left_alone() -> None:
    assert guarded("杭州=1") == "杭州=1"
    assert typed(Column("n", "N", "float"), -2.5, SHANGHAI) == -2.5
    assert typed(Column("n", "N", "int"), -3, SHANGHAI) == -3


def test_a_time_becomes_a_naive_local_time_and_json_becomes_readable_text() -> None:
    moment = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    assert typed(Column("at", "When", "datetime"), moment, SHANGHAI) == datetime(2026, 11, 23, 9, 30)
    assert typed(Column("d", "Data", "json"), {"城市": "杭州", "n": 1}, SHANGHAI) == '{"n": 1, "城市": "杭州"}'
    assert typed(Column("d", "Data", "json"), {"x": "=1"}, SHANGHAI) == '{"x": "=1"}'
    assert typed(Column("b", "B", "bool"), 1, SHANGHAI) is True


def test_every_export_header_and_sheet_title_has_a_chinese_translation() -> None:
    zh = i18n.translations("zh").gettext
    en = i18n.translations("en").gettext
    for text in HEADERS | set(TITLES.values()):
        assert zh(text) != text, f"no Chinese for {text!r}"
        assert en(text) == text
    assert len(HEADERS) > 50


@pytest.mark.parametrize(("rows", "sheets"), [(6, [3, 3]), (7, [3, 3, 1])])
def test_rows_past_a_sheets_limit_go_on_in_another_sheet(monkeypatch: pytest.MonkeyPatch, rows: int,
                                                         sheets: list[int]) -> None:
    monkeypatch.setattr(xlsx_writer, "SHEET_ROWS", 4)  # a header and 3 rows a sheet
    table = Table("tasks", (Column("id", "Task", "int"),), iter([(n,) for n in range(rows)]))
    book = load_workbook(io.BytesIO(b"".join(chunks(table, format="xlsx", locale="en", timezone="UTC"))))
    assert [sheet.title for sheet in book.worksheets] == ["Tasks", "Tasks 2", "Tasks 3"][:len(sheets)]
    assert [sheet.max_row - 1 for sheet in book.worksheets] == sheets
    assert [row[0] for sheet in book.worksheets for row in sheet.iter_rows(min_row=2, values_only=True)] == list(
        range(rows))
