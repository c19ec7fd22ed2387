"""Export cells: formulas made harmless, values typed, every column header translated."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from api.exports import TITLES
from api.exports.cells import guarded, typed
from api.ui import i18n
from channels import exports as channel_exports
from workflows.services import exports as engine_exports
from workflows.services.tabular import Column

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
