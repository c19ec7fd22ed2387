"""KPI import: CSV in UTF-8, UTF-8 with BOM and GBK, XLSX; all or nothing; replacement is audited."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook

from channels import tables as ct
from channels.kpi_import import import_file, import_records
from channels.thresholds import update_thresholds
from tests.integration.helpers import count
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import InvalidInput, PermissionDenied
from workflows.persistence import tables as t
from workflows.services.context import Services

HEADER = "channel_code,period,sales_target,sales_actual,satisfaction,on_time_rate,return_rate,activity\n"


def stored(svc: Services) -> list[dict[str, object]]:
    return sorted(f.rows(svc, ct.kpi_records), key=lambda r: (str(r["channel_id"]), str(r["period"])))


def test_a_utf8_csv_is_imported_row_by_row(svc: Services) -> None:
    a, b = f.channel(svc), f.channel(svc)
    data = (HEADER + f"{a.code},2026-09,100,95.5,4.6,97,1.5,120\n{b.code},2026-10,200,\"1,250\",88,96%,2,30\n")
    result = import_file(svc, actor=f.admin(svc), data=data.encode(), filename="k.csv")
    assert (result.rows, result.created, result.replaced, result.periods) == (2, 2, 0, ["2026-09", "2026-10"])
    by_channel = {r["channel_id"]: r for r in stored(svc)}
    assert by_channel[b.id]["sales_actual"] == 1250.0 and by_channel[b.id]["on_time_rate"] == 96.0
    assert by_channel[a.id]["satisfaction"] == 4.6


def test_a_gbk_csv_with_chinese_headers_is_imported(svc: Services) -> None:
    a = f.channel(svc)
    data = f"渠道编码,月份,销售目标,销售额,客户满意度\n{a.code},2026年10月,100,101,4.8\n".encode("gbk")
    assert import_file(svc, actor=f.admin(svc), data=data, filename="数据.csv").rows == 1
    assert stored(svc)[0]["period"] == "2026-10"


def test_a_utf8_csv_with_bom_from_excel_is_imported(svc: Services) -> None:
    a = f.channel(svc)
    data = "\ufeff渠道编码,月份,销售额\r\n".encode() + f"{a.code},2026/10,80\r\n".encode()
    assert import_file(svc, actor=f.admin(svc), data=data, filename="excel.csv").rows == 1


def test_a_semicolon_separated_csv_is_read(svc: Services) -> None:
    a = f.channel(svc)
    data = f"channel_code;period;sales_actual\n{a.code};2026-10;80\n".encode()
    assert import_file(svc, actor=f.admin(svc), data=data, filename="k.csv").rows == 1


def test_an_xlsx_file_is_imported_with_percent_cells_and_date_cells(svc: Services) -> None:
    from datetime import datetime

    a = f.channel(svc)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["渠道编码", "月份", "销售目标", "销售额", "订单履约及时率"])
    sheet.append([a.code, datetime(2026, 10, 1), 100, 99.5, 0.95])
    sheet["E2"].number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    assert import_file(svc, actor=f.admin(svc), data=buffer.getvalue(), filename="k.xlsx").rows == 1
    [row] = stored(svc)
    assert (row["period"], row["sales_actual"], row["on_time_rate"]) == ("2026-10", 99.5, 95.0)


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(svc: Services) -> None:
    a = f.channel(svc)
    data = (HEADER + f"{a.code},2026-08,100,90,,,,\n"  # line 2: fine
            "NOPE,2026-09,100,90,,,,\n"  # line 3: unknown channel
            f"{a.code},2026-09,100,ninety,,,,\n"  # line 4: bad number
            f"{a.code},2026-08,100,91,,,,\n"  # line 5: duplicate of line 2
            f"{a.code},2026-13,100,91,,,,\n"  # line 6: bad month
            f"{a.code},2026-07,100,91,,150,,\n")  # line 7: rate out of range
    with pytest.raises(InvalidInput) as caught:
        import_file(svc, actor=f.admin(svc), data=data.encode(), filename="k.csv")
    found = {(p.line, p.path) for p in caught.value.problems}
    assert found == {(3, "channel_code"), (4, "sales_actual"), (5, "period"), (6, "period"), (7, "on_time_rate")}
    assert "duplicate" in next(p.message for p in caught.value.problems if p.line == 5)
    assert count(svc, ct.kpi_records) == 0
    assert count(svc, t.audit_events, t.audit_events.c.entity_type == "kpi_import") == 0


def test_a_missing_column_is_reported_on_the_header_line(svc: Services) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_file(svc, actor=f.admin(svc), data=b"channel_code,sales_actual\nC-1,10\n", filename="k.csv")
    assert [(p.line, p.path) for p in caught.value.problems] == [(1, "period")]


def test_a_file_in_another_encoding_is_refused_with_a_clear_reason(svc: Services) -> None:
    data = b"channel_code,period,sales_actual\nC-1,2026-10,\x80\n"
    with pytest.raises(InvalidInput) as caught:
        import_file(svc, actor=f.admin(svc), data=data, filename="k.csv")
    assert "encoding" in caught.value.problems[0].message


def test_a_broken_xlsx_file_is_refused(svc: Services) -> None:
    with pytest.raises(InvalidInput):
        import_file(svc, actor=f.admin(svc), data=b"PK\x03\x04 not really a workbook", filename="k.xlsx")


def test_reimporting_a_period_replaces_it_and_audits_old_and_new_values(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, {"2026-10": 90})
    result = import_records(svc, actor=f.admin(svc), rows=[{"channel_code": a.code, "period": "2026-10",
                                                           "sales_target": 100, "sales_actual": 120}])
    assert (result.created, result.replaced) == (0, 1)
    [row] = stored(svc)
    assert row["sales_actual"] == 120
    [replaced] = f.rows(svc, t.audit_events, t.audit_events.c.action == "kpi_replaced")
    assert (replaced["data"]["from"]["sales_actual"], replaced["data"]["to"]["sales_actual"]) == (90, 120)
    assert (replaced["entity_type"], replaced["entity_id"]) == ("channel", str(a.id))


def test_without_a_target_the_channels_own_then_its_types_target_applies(svc: Services) -> None:
    own, typed = f.channel(svc, monthly_target=1234), f.channel(svc, type="social")
    update_thresholds(svc, actor=f.admin(svc), values={"type_targets": {
        "direct_store": 1, "agent": 2, "ecommerce": 3, "social": 777}})
    import_records(svc, actor=f.admin(svc), rows=[{"channel_code": own.code, "period": "2026-10", "sales_actual": 1},
                                                  {"channel_code": typed.code, "period": "2026-10",
                                                   "sales_actual": 1}])
    targets = {r["channel_id"]: r["sales_target"] for r in stored(svc)}
    assert targets == {own.id: 1234, typed.id: 777}


def test_a_report_after_the_deadline_is_marked_late(svc: Services) -> None:
    a = f.channel(svc)  # today is 2026-11-23: October was due on 2026-11-10, November is not due yet
    f.report(svc, a.code, {"2026-10": 90, "2026-11": 80})
    assert {r["period"]: r["late"] for r in stored(svc)} == {"2026-10": True, "2026-11": False}


def test_a_future_month_is_refused(svc: Services) -> None:
    a = f.channel(svc)
    with pytest.raises(InvalidInput) as caught:
        f.report(svc, a.code, {"2026-12": 1})
    assert "future" in caught.value.problems[0].message


def test_a_channel_manager_reports_only_for_their_own_channels(svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    mine, other = f.channel(svc, manager=manager), f.channel(svc)
    rows = [{"channel_code": mine.code, "period": "2026-10", "sales_actual": 1},
            {"channel_code": other.code, "period": "2026-10", "sales_actual": 1}]
    with pytest.raises(InvalidInput) as caught:
        import_records(svc, actor=manager, rows=rows)
    assert [(p.line, p.message) for p in caught.value.problems] == [(2, f"you do not manage channel {other.code!r}")]
    assert import_records(svc, actor=manager, rows=rows[:1]).rows == 1


def test_a_reviewer_may_not_report_kpis(svc: Services, make_user: UserFactory) -> None:
    with pytest.raises(PermissionDenied):
        import_records(svc, actor=make_user("market"), rows=[{"channel_code": "x", "period": "2026-10"}])


def test_a_correction_keeps_the_first_reports_timeliness(svc: Services, clock: FixedClock) -> None:
    a = f.channel(svc)
    clock.set(clock.now() - timedelta(days=20))  # 2026-11-03: October is on time
    f.report(svc, a.code, {"2026-10": 90})
    clock.set(clock.now() + timedelta(days=20))
    f.report(svc, a.code, {"2026-10": 95})
    [row] = stored(svc)
    assert (row["sales_actual"], row["late"]) == (95, False)


def test_a_damaged_workbook_is_refused_as_unreadable(svc: Services) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_file(svc, actor=f.admin(svc), data=b"PK\x03\x04\x14\x00\x00\x00garbage" * 20, filename="k.xlsx")
    assert [p.path for p in caught.value.problems] == ["file"]


def test_a_nul_character_is_a_bad_value_on_its_line(svc: Services) -> None:
    a = f.channel(svc)
    with pytest.raises(InvalidInput) as caught:
        import_file(svc, actor=f.admin(svc), data=f"channel_code,period,sales_actual\n{a.code},2026-10,\x00\n".encode(),
                    filename="k.csv")
    assert [(p.line, p.path) for p in caught.value.problems] == [(2, "sales_actual")]
