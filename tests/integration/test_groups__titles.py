"""Group titles from the database, cached per process: a rename shows at once in the process that
made it, and in another process once its cache has expired."""

from __future__ import annotations

from workflows.domain.principals import SYSTEM
from workflows.services.context import Services, ShortCache
from workflows.services.groups import add_group, title_of, update_group


def test_a_renamed_group_shows_its_new_title_at_once_in_this_process(svc: Services) -> None:
    assert (title_of(svc, "finance", locale="zh"), title_of(svc, "finance", locale="en")) == ("财务部", "Finance")
    update_group(svc, actor=SYSTEM, code="finance", changes={"title_zh": "财务中心", "title_en": "Finance centre"})
    assert (title_of(svc, "finance", locale="zh"), title_of(svc, "finance", locale="en")) == (
        "财务中心", "Finance centre")


def test_another_process_sees_a_new_group_when_its_cache_expires(svc: Services) -> None:
    now = [0.0]
    other = Services(engine=svc.engine, clock=svc.clock, calendar=svc.calendar, registry=svc.registry,
                     group_cache=ShortCache(ttl=10.0, seconds=lambda: now[0]))
    assert title_of(other, "region:hainan", locale="zh") == "区域 hainan"  # not a group yet: shown as the code says
    add_group(svc, actor=SYSTEM, code="region:hainan", title_zh="海南区", title_en="Hainan")
    assert title_of(other, "region:hainan", locale="zh") == "区域 hainan"
    now[0] = 10.0
    assert title_of(other, "region:hainan", locale="zh") == "海南区"
