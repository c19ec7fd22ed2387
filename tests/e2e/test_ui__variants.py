"""Variants on the pages: the instance page names the variant an instance runs under, the start form
lists the variants and says which applies once the subject is chosen, and the diagram marks the IT
review as 线上渠道 only — in Chinese and in English."""

from __future__ import annotations

import re
import secrets

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from api.ui import session
from tests.support.channel_factories import channel
from workflows.domain.principals import SYSTEM
from workflows.services import instances
from workflows.services.context import Services
from workflows.services.users import actor_for, add_user

TEXTS = {
    "zh": {"variant": "方案", "online": "线上渠道", "stores": "直营店", "none": "不适用任何方案：按标准流程执行。",
           "applies": "适用方案：", "it": "部门审核：另加 信息技术部", "when": "渠道类型: 电商平台, 社交电商",
           "note": "note right of under_review : 部门审核 + 信息技术部（仅线上渠道）",
           "goal": "首次响应 时限：高 2 个工作小时, 中 4 个工作小时, 低 8 个工作小时"},
    "en": {"variant": "variant", "online": "Online channels", "stores": "Direct stores",
           "none": "No variant applies: the definition as written.", "applies": "Applies:",
           "it": "Department review: also IT", "when": "Channel type: E-commerce, Social commerce",
           "note": "note right of under_review : Department review + IT (Online channels only)",
           "goal": "First response goal: High 2 working hours, Normal 4 working hours, Low 8 working hours"},
}


def sign_in(client: TestClient, svc: Services, login: str, locale: str) -> None:
    """Sign in the manager whose language is `locale` (a user's language decides the pages')."""
    secret = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    uid = actor_for(svc, login=f"{login}_{locale}").id
    value = URLSafeTimedSerializer(secret, salt=session.SALT).dumps(
        {"uid": uid, "csrf": secrets.token_urlsafe(16), "locale": locale})
    client.cookies.clear()
    client.cookies.set(session.COOKIE, value)


@pytest.fixture
def manager(svc: Services) -> str:
    for locale in ("zh", "en"):
        add_user(svc, actor=SYSTEM, login=f"variant_manager_{locale}", roles=("channel_manager",), locale=locale)
    return "variant_manager"


def text_of(html: str) -> str:
    """The page's text with tags dropped and white space folded (as a reader sees it)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" :", ":").replace(" ,", ",")


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_instance_page_names_the_variant_and_the_diagram_marks_the_it_review(
    svc: Services, client: TestClient, manager: str, locale: str
) -> None:
    data = {"channel_name": "天猫旗舰店", "channel_type": "ecommerce", "region": "east"}
    started = instances.start_instance(svc, actor=actor_for(svc, login=f"{manager}_zh"),
                                       workflow="channel_onboarding", data=data)
    sign_in(client, svc, manager, locale)
    page = client.get(f"/instances/{started.id}")

    assert page.status_code == 200
    words = TEXTS[locale]
    shown = f'{words["variant"]} <strong id="instance-variant" data-variant="online">{words["online"]}</strong>'
    assert shown in page.text
    assert words["note"] in page.text


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_an_instance_without_a_variant_shows_none(svc: Services, client: TestClient, manager: str, locale: str) -> None:
    started = instances.start_instance(svc, actor=actor_for(svc, login=f"{manager}_zh"), workflow="channel_onboarding",
                                       data={"channel_name": "代理", "channel_type": "agent", "region": "east"})
    sign_in(client, svc, manager, locale)
    page = client.get(f"/instances/{started.id}")

    assert 'id="instance-variant"' not in page.text


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_start_form_lists_the_variants_with_what_selects_them_and_what_they_change(
    svc: Services, client: TestClient, manager: str, locale: str
) -> None:
    sign_in(client, svc, manager, locale)
    page = client.get("/workflows/channel_onboarding/start")

    words = TEXTS[locale]
    shown = text_of(page.text)
    assert words["online"] in shown
    assert words["when"] in shown
    assert words["it"] in shown
    assert words["none"] in shown  # the form starts on the first channel type, a direct store
    assert 'data-when="{&#34;channel_type&#34;: [&#34;ecommerce&#34;, &#34;social&#34;]}"' in page.text


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_start_form_says_which_variant_applies_once_the_subject_is_chosen(
    svc: Services, client: TestClient, manager: str, locale: str
) -> None:
    store, agent = channel(svc, type="direct_store"), channel(svc, type="agent")
    sign_in(client, svc, manager, locale)
    words = TEXTS[locale]

    for_store = text_of(client.get(f"/workflows/complaint/start?subject_id={store.code}").text)
    for_agent = text_of(client.get(f"/workflows/complaint/start?subject_id={agent.id}").text)

    assert f'{words["applies"]} {words["stores"]}' in for_store
    assert words["goal"] in for_store
    assert words["none"] in for_agent


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_workflow_page_lists_its_variants(svc: Services, client: TestClient, manager: str, locale: str) -> None:
    sign_in(client, svc, manager, locale)
    page = client.get("/workflows/complaint")

    assert page.status_code == 200
    assert TEXTS[locale]["goal"] in text_of(page.text)
