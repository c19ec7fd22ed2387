"""The demo's channels: their replayed history shows every rule's outcome out of the box."""

from __future__ import annotations

from channelops import demo
from channels import tables as ct
from channels.queries import five_star_channels, open_lifecycle_suggestions
from channels.registry import list_channels
from tests.support import channel_factories as f
from workflows.services.context import Services


def test_the_demo_shows_cards_alarms_stars_reports_and_lifecycle_suggestions(svc: Services) -> None:
    demo.seed(svc)
    channels = list_channels(svc, limit=100).items
    assert len(channels) == 30
    assert {c.type for c in channels} == {"direct_store", "agent", "ecommerce", "social"}
    assert {c.region for c in channels} == {"east", "south", "north", "west", "southwest"}
    cards = {c.card for c in channels}
    assert {"yellow", "red", "none"} <= cards
    assert {c.stage for c in channels} >= {"pending", "introduction", "growth", "maturity", "decline"}
    alarms = f.rows(svc, ct.channel_alarms)
    assert {(a["scope"], a["period"]) for a in alarms} == {("channel", "2026-10"), ("region", "2026-10")}
    assert len(f.rows(svc, ct.kpi_records)) == 18 * 19 - 1  # 18 operating channels, 19 months, one missing
    with svc.uow(write=False) as uow:
        assert len(five_star_channels(uow, "2026-10")) >= 2
        suggested = {(s.from_stage, s.to_stage) for s in open_lifecycle_suggestions(uow)}
    assert {("introduction", "growth"), ("maturity", "decline")} <= suggested
    assert [r["kind"] for r in f.rows(svc, ct.kpi_report_flags)] == ["missing"]
    assert len(f.rows(svc, ct.kpi_records, ct.kpi_records.c.late)) == 1
    recovered = [r for r in f.rows(svc, ct.quarter_results) if r["card_action"] == "recover"]
    assert len(recovered) == 1
