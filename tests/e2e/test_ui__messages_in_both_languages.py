"""The editor's and the KPI import's problems, and refusals, read in the page's language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.ui import sign_in
from tests.support.visible import CJK, visible_text
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.users import add_user

BROKEN = """name: broken
title: {zh: 坏流程, en: Broken}
states:
  - {name: open, initial: true}
  - {name: done, final: true}
transitions:
  - {trigger: finish, source: open, dest: nowhere}
  - {trigger: assign, source: open, dest: done, allowed: [group:no_such_group]}
"""
CSV = b"channel_code,period,sales_actual\nNOPE,2026-10,abc\n,2026-13,5\n"
EXPECTED = {
    "zh": ["未知状态 'nowhere'", "未知的组 'no_such_group'", "未知渠道 'NOPE'", "数字 'abc' 有误",
           "月份 '2026-13' 有误", "为空"],
    "en": ["unknown state 'nowhere'", "unknown group 'no_such_group'", "unknown channel 'NOPE'", "bad number 'abc'",
           "bad month '2026-13'", "is empty"],
}


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_editor_and_import_problems_are_in_the_pages_language(svc: Services, client: TestClient,
                                                              locale: str) -> None:
    add_user(svc, actor=SYSTEM, login="boss", is_admin=True, locale=locale)
    token = sign_in(client, svc, "boss")
    checked = client.post("/admin/workflows/check", data={"source": BROKEN, "csrf_token": token})
    imported = client.post("/channels/kpis/import", data={"csrf_token": token},
                           files={"file": ("kpi.csv", CSV, "text/csv")})
    other = "zh" if locale == "en" else None  # the 中文 button of an English page
    text = visible_text(checked.text, skip_lang=other) + "\n" + visible_text(imported.text, skip_lang=other)
    assert imported.status_code == 422, imported.text[:3000]
    for expected in EXPECTED[locale]:
        assert expected in text, (expected, text)
    if locale == "en":
        assert not CJK.search(text.replace("坏流程", ""))


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_a_refusal_reads_in_the_pages_language(svc: Services, client: TestClient, locale: str) -> None:
    add_user(svc, actor=SYSTEM, login="reader", groups=["finance"], locale=locale)
    sign_in(client, svc, "reader")
    refused = client.get("/channels/kpis/import")
    assert refused.status_code == 403
    wanted = "只有管理员和渠道经理可以上报 KPI" if locale == "zh" else "only administrators and channel managers"
    assert wanted in visible_text(refused.text)
