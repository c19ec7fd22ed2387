"""Security headers: every UI page carries a CSP without inline script, refuses framing, forbids
sniffing and keeps the referrer on the site; API answers may load nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.test_ui__pages import ADMIN_PAGES, PAGES, World, world  # noqa: F401  (the fixture)
from tests.support.ui import sign_in
from workflows.services.context import Services

COMMON = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


def _policy(answer: object) -> dict[str, str]:
    header: str = answer.headers["content-security-policy"]  # type: ignore[attr-defined]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def _assert_ui_headers(answer: object, path: str) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    assert {name: headers.get(name) for name in COMMON} == COMMON, path
    policy = _policy(answer)
    assert policy["script-src"] == "script-src 'self'", path
    assert policy["frame-ancestors"] == "frame-ancestors 'none'", path
    assert policy["object-src"] == "object-src 'none'", path
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["default-src"], path


def test_every_ui_page_carries_the_security_headers(svc: Services, client: TestClient, world: World) -> None:  # noqa: F811
    for path in ("/login", "/no/such/page"):
        _assert_ui_headers(client.get(path), path)
    sign_in(client, svc, "admin_user")
    for path in [*PAGES, *ADMIN_PAGES, "/channels/kpis/import"]:
        answer = client.get(world.page(path))
        assert answer.status_code == 200, path
        _assert_ui_headers(answer, path)


def test_a_redirect_and_a_refused_form_carry_them_too(client: TestClient) -> None:
    _assert_ui_headers(client.get("/inbox", follow_redirects=False), "redirect")
    _assert_ui_headers(client.post("/logout", data={"csrf_token": "forged"}), "csrf refusal")


def test_api_answers_may_load_nothing_and_cannot_be_framed(client: TestClient) -> None:
    for answer in (client.get("/api/v1/tasks"), client.get("/health"), client.get("/openapi.json")):
        assert {name: answer.headers.get(name) for name in COMMON} == COMMON
        assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_api_docs_page_keeps_working_without_a_csp_but_cannot_be_framed(client: TestClient) -> None:
    answer = client.get("/docs")
    assert answer.status_code == 200
    assert "content-security-policy" not in answer.headers
    assert answer.headers["x-frame-options"] == "DENY"
