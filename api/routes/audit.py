"""The audit trail of everything: `GET /audit`, newest first, a page at a time, or the whole
filtered trail as a streamed file (`format=csv|xlsx`, the same export as `GET /exports/audit`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.deps import CurrentActor, ServicesDep, SettingsDep
from api.routes import exports
from workflows.services import audit_trail
from workflows.services import exports as engine_exports
from workflows.services.views import AuditPageView

router = APIRouter(prefix="/audit", tags=["audit"])
Format = Annotated[Literal["json", "csv", "xlsx"], Query(
    description="json: a page; csv (UTF-8 with a BOM) or xlsx: every matching row, oldest first, streamed")]
FILE_OR_PAGE: dict[int | str, dict[str, Any]] = {200: {"description": "a page (json), or the file, streamed",
                                                       "content": exports.FILE[200]["content"]}}


@router.get("", response_model=AuditPageView, responses=FILE_OR_PAGE,
            summary="The audit trail of everything (admins, auditors; one instance's for any user), newest first")
def audit(
    actor: CurrentActor, svc: ServicesDep, settings: SettingsDep,
    entity_type: Annotated[str | None, Query(max_length=30, examples=["channel"])] = None,
    entity_id: Annotated[str | None, Query(max_length=100)] = None,
    actor_login: Annotated[str | None, Query(alias="actor", max_length=100, description="the login who acted")] = None,
    action: Annotated[str | None, Query(max_length=50, examples=["card_changed"])] = None,
    instance_id: exports.Id = None, from_: exports.From = None, to: exports.To = None,
    format: Format = "json", lang: exports.Lang = None,
    limit: Annotated[int, Query(ge=1, le=audit_trail.MAX_LIMIT)] = audit_trail.DEFAULT_LIMIT,
    cursor: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="`next_cursor` of the page before")] = None,
) -> Any:
    filters: dict[str, Any] = {"instance_id": instance_id, "entity_type": entity_type, "entity_id": entity_id,
                               "action": action, "login": actor_login, "start": from_, "end": to}
    if format != "json":
        table = engine_exports.audit_table(svc, actor=actor, **filters)
        return exports.send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)
    return audit_trail.audit_page(svc, actor=actor, cursor=cursor, limit=limit, **filters)
