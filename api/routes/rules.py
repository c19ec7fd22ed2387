"""The KPI rules' thresholds: everyone may read them, administrators change them (audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor, ServicesDep
from channels import thresholds

router = APIRouter(prefix="/rules", tags=["rules"])


class ThresholdsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    thresholds: dict[str, Any] = Field(min_length=1, max_length=20,
                                       examples=[{"alarm_drop_pct": 25, "attainment_pass_pct": 100}])
    comment: str | None = Field(default=None, max_length=2000)


@router.get("/thresholds", summary="The rules' thresholds now in force")
def get_thresholds(_: CurrentActor, svc: ServicesDep) -> dict[str, Any]:
    return thresholds.get_thresholds(svc)


@router.patch("/thresholds", summary="Change some thresholds (administrators; 422 lists every bad value)")
def update_thresholds(body: ThresholdsUpdate, actor: CurrentActor, svc: ServicesDep) -> dict[str, Any]:
    return thresholds.update_thresholds(svc, actor=actor, values=body.thresholds, comment=body.comment)
