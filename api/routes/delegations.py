"""Absences with a substitute (`workflows.services.delegations`): record, list, end, hand over tasks."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor, ServicesDep
from workflows.services import delegations
from workflows.services.delegations import MAX_NOTE, MAX_WORKFLOWS, DelegationView, HandoverView

router = APIRouter(prefix="/delegations", tags=["delegations"])
DelegationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Login = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")


class DelegationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "user": "zhang.san", "substitute": "li.si", "starts_on": "2026-12-01", "ends_on": "2026-12-05",
        "workflows": ["channel_onboarding"], "note": "年假"}]})
    user: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$",
                             description="the absent user's login (admins); default: oneself")
    substitute: str = Login
    starts_on: dt.date
    ends_on: dt.date = Field(description="the last day of the absence (included)")
    workflows: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=MAX_WORKFLOWS, description="only these workflows; empty: every workflow")
    note: str = Field(default="", max_length=MAX_NOTE)


@router.get("", response_model=list[DelegationView],
            summary="Absences: mine and those I stand in for; an admin's: everyone's, or one user's")
def list_delegations(
    actor: CurrentActor, svc: ServicesDep,
    user: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    current: Annotated[bool, Query(description="only those not over and not ended")] = True,
) -> list[DelegationView]:
    return delegations.list_delegations(svc, actor=actor, login=user, current=current)


@router.post("", response_model=DelegationView, status_code=201,
             summary="Record an absence with a substitute (oneself, or anyone for an admin)")
def add(body: DelegationCreate, actor: CurrentActor, svc: ServicesDep) -> DelegationView:
    return delegations.add_delegation(svc, actor=actor, login=body.user, substitute=body.substitute,
                                      starts_on=body.starts_on, ends_on=body.ends_on, workflows=body.workflows,
                                      note=body.note)


@router.get("/{delegation_id}", response_model=DelegationView, summary="One absence")
def get(delegation_id: DelegationId, actor: CurrentActor, svc: ServicesDep) -> DelegationView:
    return delegations.get_delegation(svc, actor=actor, delegation_id=delegation_id)


@router.delete("/{delegation_id}", response_model=DelegationView,
               summary="End an absence now (kept in the record as ended)")
def end(delegation_id: DelegationId, actor: CurrentActor, svc: ServicesDep) -> DelegationView:
    return delegations.end_delegation(svc, actor=actor, delegation_id=delegation_id)


@router.post("/{delegation_id}/handover", response_model=HandoverView,
             summary="Hand the absent user's open tasks to the substitute, in one action")
def handover(delegation_id: DelegationId, actor: CurrentActor, svc: ServicesDep) -> HandoverView:
    return delegations.hand_over(svc, actor=actor, delegation_id=delegation_id)
