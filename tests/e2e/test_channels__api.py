"""The channel pack over HTTP: registry, KPI rows and files, rules, thresholds."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.fixtures import LoginFactory

CSV = "channel_code,period,sales_target,sales_actual,satisfaction,on_time_rate,return_rate\n"


def register(client: TestClient, headers: dict[str, str], code: str = "C-100", **extra: object) -> dict[str, object]:
    body = {"code": code, "name": "上海直营店", "type": "direct_store", "region": "east", **extra}
    response = client.post("/api/v1/channels", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_a_channel_is_registered_listed_changed_and_shown_with_its_instances(
        client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    created = register(client, admin, activate=True)
    listed = client.get("/api/v1/channels?region=east&stage=introduction", headers=login_as(roles=("viewer",)))
    assert listed.json()["total"] == 1
    patched = client.patch(f"/api/v1/channels/{created['id']}", json={"name": "上海旗舰店", "comment": "renamed"},
                           headers=admin)
    assert patched.json()["name"] == "上海旗舰店"
    detail = client.get(f"/api/v1/channels/{created['id']}", headers=admin).json()
    assert detail["channel"]["stage"] == "introduction"
    assert [i["workflow"] for i in detail["instances"]] == ["channel_lifecycle"]


def test_a_duplicate_code_is_409_and_a_bad_body_is_422_problem_json(client: TestClient,
                                                                     login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    register(client, admin)
    again = client.post("/api/v1/channels", json={"code": "C-100", "name": "x", "type": "agent", "region": "east"},
                        headers=admin)
    assert again.status_code == 409
    bad = client.post("/api/v1/channels", json={"code": "C 1", "name": "", "type": "shop", "region": "East"},
                      headers=admin)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert {e["path"] for e in bad.json()["errors"]} == {"body.code", "body.name", "body.type", "body.region"}


def test_an_unknown_channel_is_404(client: TestClient, login_as: LoginFactory) -> None:
    assert client.get("/api/v1/channels/999999", headers=login_as(roles=("viewer",))).status_code == 404


def test_kpi_rows_as_json_are_all_or_nothing_with_every_bad_row_listed(client: TestClient,
                                                                       login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    register(client, admin, activate=True)
    rows = [{"channel_code": "C-100", "period": "2026-10", "sales_actual": 100},
            {"channel_code": "C-404", "period": "2026-10", "sales_actual": 100},
            {"channel_code": "C-100", "period": "2026-10", "sales_actual": 90}]
    refused = client.post("/api/v1/kpis", json={"rows": rows}, headers=admin)
    assert refused.status_code == 422
    assert [(e["line"], e["path"]) for e in refused.json()["errors"]] == [(2, "channel_code"), (3, "period")]
    accepted = client.post("/api/v1/kpis", json={"rows": rows[:1]}, headers=admin)
    assert (accepted.status_code, accepted.json()["created"]) == (201, 1)


def test_a_kpi_file_upload_reports_bad_lines_as_problem_json_and_a_good_one_is_imported(
        client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    register(client, admin, activate=True)
    bad = (CSV + "C-100,2026-10,100,abc,,,\n").encode("gbk")
    refused = client.post("/api/v1/kpis/import", files={"file": ("k.csv", bad, "text/csv")}, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"path": "sales_actual", "message": "bad number 'abc'", "line": 2}]
    good = ("\ufeff" + CSV + "C-100,2026-09,100,100,4.9,99,1\nC-100,2026-10,100,70,4.9,99,1\n").encode()
    imported = client.post("/api/v1/kpis/import", files={"file": ("k.csv", good, "text/csv")}, headers=admin)
    assert (imported.status_code, imported.json()["rows"]) == (201, 2)


def test_an_admin_runs_the_rules_and_everyone_reads_alarms_and_stars(client: TestClient,
                                                                      login_as: LoginFactory) -> None:
    admin, viewer = login_as(admin=True), login_as(roles=("viewer",))
    register(client, admin, activate=True)
    rows = [{"channel_code": "C-100", "period": "2026-09", "sales_target": 100, "sales_actual": 120,
             "satisfaction": 5, "on_time_rate": 100, "return_rate": 0},
            {"channel_code": "C-100", "period": "2026-10", "sales_target": 100, "sales_actual": 70}]
    client.post("/api/v1/kpis", json={"rows": rows}, headers=admin)
    assert client.post("/api/v1/kpis/evaluate", json={"period": "2026-10"}, headers=viewer).status_code == 403
    assert client.post("/api/v1/kpis/evaluate", json={"period": "2026-09"}, headers=admin).status_code == 200
    result = client.post("/api/v1/kpis/evaluate", json={"period": "2026-10"}, headers=admin).json()
    assert result["counts"]["channel_alarms"] == 1
    [alarm] = client.get("/api/v1/kpis/alarms?period=2026-10&scope=channel", headers=viewer).json()
    assert alarm["change_pct"] == -41.666667
    five = client.get("/api/v1/kpis/stars?period=2026-09&stars=5", headers=viewer).json()
    assert [s["stars"] for s in five] == [5]
    bad = client.post("/api/v1/kpis/evaluate", json={"period": "2026-Q9"}, headers=admin)
    assert bad.status_code == 422


def test_thresholds_are_read_by_everyone_and_changed_by_admins_only(client: TestClient,
                                                                     login_as: LoginFactory) -> None:
    admin, manager = login_as(admin=True), login_as(roles=("channel_manager",))
    assert client.get("/api/v1/rules/thresholds", headers=manager).json()["alarm_drop_pct"] == 20
    body = {"thresholds": {"alarm_drop_pct": 25}, "comment": "fewer alarms in the off season"}
    assert client.patch("/api/v1/rules/thresholds", json=body, headers=manager).status_code == 403
    assert client.patch("/api/v1/rules/thresholds", json=body, headers=admin).json()["alarm_drop_pct"] == 25
    bad = client.patch("/api/v1/rules/thresholds", json={"thresholds": {"alarm_drop_pct": "a lot"}}, headers=admin)
    assert [e["path"] for e in bad.json()["errors"]] == ["thresholds.alarm_drop_pct"]
