"""No machine names in the UI: every page, for every demo role, on the demo data.

In Chinese, no identifier of the shipped definitions (state, trigger, field and its values, task,
timer, SLA goal, group, role) may be read on a page, outside code views (`<pre>`, the editor's text
area, elements of class `code`) and attribute values. In English, no Chinese text may be read but
the users' own data (names, places, comments the demo seeded: every text stored in the database
that is not one of those identifiers), and no identifier with `_` or `:` (never an English word).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import String, select

from channelops import demo
from channels import tables as ch
from channels.meetings import tables as mt
from tests.support.ui import sign_in
from tests.support.visible import CJK, identifiers, pattern, shipped_definitions, visible_text
from workflows.persistence import tables as t
from workflows.services.context import Services

# Values for the UI's path parameters; a new page with another parameter must be added here.
STATIC_PAGES = ["/channels?card=yellow", "/instances?status=active", "/inbox?due=overdue",
                "/reports/process?workflow=complaint", "/instances/999999", "/no/such/page",
                "/admin/workflows/editor?name=channel_onboarding"]
SKIP = {"/health", "/login", "/", "/meetings/{meeting_id}/agenda.ics"}  # the login page is checked anonymously below


@dataclass
class Demo:
    pages: list[str]
    user_data: list[str]  # longest first


def _is_text(kind: Any) -> bool:
    impl = getattr(kind, "impl", kind)  # SQLModel's AutoString decorates a String
    return isinstance(impl, String) or type(kind).__name__ == "AutoString"


def _user_texts(svc: Services, machine: set[str]) -> list[str]:
    """Every text a person wrote or the demo seeded (names, places, comments, data), never an identifier."""
    texts: set[str] = set()
    with svc.engine.connect() as conn:
        texts.update(login for (login,) in conn.execute(select(t.users.c.login)))
        for table in t.metadata.sorted_tables:
            columns = [c for c in table.columns if _is_text(c.type)]
            for column in columns:
                for (value,) in conn.execute(select(column).distinct().limit(500)):
                    if isinstance(value, str) and 1 < len(value) <= 300 and value not in machine \
                            and (CJK.search(value) or "." in value or " " in value):
                        texts.add(value)
        # what the system wrote in the history is the UI's own text, to be shown in the page's language
        texts -= {c for (c,) in conn.execute(select(t.audit_events.c.comment)
                                             .where(t.audit_events.c.actor_login == "system"))}
        for row in conn.execute(select(t.instances.c.data)):
            for value in (row.data or {}).values():
                if isinstance(value, str) and value not in machine and (CJK.search(value) or "." in value):
                    texts.add(value)
    return sorted(texts, key=len, reverse=True)


def _ui_paths(routes: list[Any], prefix: str = "") -> Iterator[str]:
    """The GET pages among `routes` left out of the OpenAPI document (the UI's), routers included."""
    for route in routes:
        if isinstance(route, APIRoute):
            if "GET" in route.methods and not route.include_in_schema:
                yield prefix + route.path
        elif hasattr(route, "original_router"):  # an included router (FastAPI >= 0.150)
            context = route.include_context
            if context.include_in_schema:
                yield from (p for p in _ui_paths(route.original_router.routes, prefix + context.prefix))
            else:
                yield from (prefix + context.prefix + r.path for r in route.original_router.routes
                            if isinstance(r, APIRoute) and "GET" in r.methods)


def _pages(client: TestClient, svc: Services) -> list[str]:
    """Every GET page of the UI, with each path parameter filled with every demo value."""
    with svc.engine.connect() as conn:
        values = {
            "instance_id": [str(i) for (i,) in conn.execute(select(t.instances.c.id))],
            "channel_id": [str(i) for (i,) in conn.execute(select(ch.channels.c.id).limit(6))],
            "meeting_id": [str(i) for (i,) in conn.execute(select(mt.meetings.c.id))],
            "name": [n for (n,) in conn.execute(select(t.definitions.c.name).distinct())],
            "task_id": [str(i) for (i,) in conn.execute(select(t.tasks.c.id).where(t.tasks.c.status == "open")
                                                        .order_by(t.tasks.c.id).limit(4))],
            "user_id": [str(i) for (i,) in conn.execute(select(t.users.c.id).order_by(t.users.c.id).limit(4))],
            "code": [c for (c,) in conn.execute(select(t.groups.c.code))],
            "token": ["not-a-link-token"],  # the page that explains a link it cannot use
        }
    pages: list[str] = list(STATIC_PAGES)
    for path in _ui_paths(client.app.routes):  # type: ignore[attr-defined]
        if path.startswith(("/api/", "/exports", "/vendor", "/static")) or path in SKIP:
            continue
        params = re.findall(r"{(\w+)}", path)
        missing = [p for p in params if p not in values]
        assert not missing, f"add demo values for {missing} of {path} to this test"
        filled = [path]
        for param in params:
            filled = [f.replace(f"{{{param}}}", v) for f in filled for v in values[param]]
        pages.extend(filled)
    return pages


@pytest.fixture
def world(svc: Services, client: TestClient) -> Iterator[Demo]:
    demo.seed(svc)
    machine = identifiers(shipped_definitions())
    yield Demo(pages=_pages(client, svc), user_data=_user_texts(svc, machine))


def _report(found: dict[str, dict[str, list[str]]]) -> str:
    """word: the pages it was read on (a few), and by whom."""
    where: dict[str, set[str]] = {}
    for login, pages in found.items():
        for path, words in pages.items():
            for word in words:
                where.setdefault(word, set()).add(f"{path} ({login})")
    return "\n".join(f"{word!r}: {', '.join(sorted(paths)[:4])}{' ...' if len(paths) > 4 else ''}"
                     for word, paths in sorted(where.items()))


def _read(text: str, user_data: list[str]) -> str:
    for value in user_data:
        text = text.replace(value, " ")
    return text


def _offences(client: TestClient, world: Demo, check: re.Pattern[str], skip_lang: str | None = None
              ) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in world.pages:
        response = client.get(path)
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        text = _read(visible_text(response.text, skip_lang=skip_lang), world.user_data)
        hits = sorted({m.group(0) for m in check.finditer(text)})
        if hits:
            found[path] = hits
    return found


ROLES = [login for login, *_ in demo.USERS]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_identifier_of_the_shipped_definitions_is_read_on_any_chinese_page(
        svc: Services, client: TestClient, world: Demo) -> None:
    check = pattern(identifiers(shipped_definitions()))
    found: dict[str, dict[str, list[str]]] = {}
    for login in ROLES:
        token = sign_in(client, svc, login)
        client.post("/language", data={"locale": "zh", "csrf_token": token, "next": "/"})
        if offences := _offences(client, world, check):
            found[login] = offences
    client.cookies.clear()
    login_page = _read(visible_text(client.get("/login").text), world.user_data)
    assert not check.search(login_page)
    assert found == {}, _report(found)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_chinese_ui_text_and_no_identifier_is_read_on_any_english_page(
        svc: Services, client: TestClient, world: Demo) -> None:
    words = {w for w in identifiers(shipped_definitions()) if "_" in w or ":" in w}
    check = re.compile(rf"{CJK.pattern}+|{pattern(words).pattern}")
    found: dict[str, dict[str, list[str]]] = {}
    for login in ROLES:
        token = sign_in(client, svc, login)
        client.post("/language", data={"locale": "en", "csrf_token": token, "next": "/"})
        if offences := _offences(client, world, check, skip_lang="zh"):
            found[login] = offences
    assert found == {}, _report(found)
