"""The channel registry: list, register, read (with KPIs, stars, card, stage, instances), change."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor, ServicesDep
from channels import queries, registry
from channels.views import ChannelDetail, ChannelPage, ChannelView

router = APIRouter(prefix="/channels", tags=["channels"])
ChannelId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ChannelType = Literal["direct_store", "agent", "ecommerce", "social"]
Region = Field(min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_-]*$", examples=["east"])
UserId = Field(default=None, ge=1, le=2**31 - 1)
Target = Field(default=None, gt=0, lt=1e12, allow_inf_nan=False, description="monthly sales target (CNY)")


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", examples=["C-031"])
    name: str = Field(min_length=1, max_length=200, examples=["杭州直营店3号"])
    type: ChannelType
    region: str = Region
    manager_id: int | None = UserId
    contacts: dict[str, str] = Field(default_factory=dict, max_length=20, examples=[{"phone": "0571-8888"}])
    monthly_target: float | None = Target
    activate: bool = Field(default=False, description="administrators: the channel already operates; "
                           "it starts active in stage `introduction`")
    comment: str | None = Field(default=None, max_length=2000)


class ChannelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"manager_id": 7, "monthly_target": 1_200_000, "comment": "华东区经理调整"}]})
    name: str | None = Field(default=None, min_length=1, max_length=200)
    type: ChannelType | None = None
    region: str | None = Field(default=None, min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_-]*$")
    manager_id: int | None = UserId
    contacts: dict[str, str] | None = Field(default=None, max_length=20)
    monthly_target: float | None = Target
    comment: str | None = Field(default=None, max_length=2000)


def _changes(body: ChannelUpdate) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"comment"})
    # name, type, region and contacts cannot be cleared; manager_id and monthly_target can
    return {k: v for k, v in changes.items() if v is not None or k in ("manager_id", "monthly_target")}


@router.get("", response_model=ChannelPage, summary="Channels by code, filtered, paginated")
def list_channels(
    _: CurrentActor, svc: ServicesDep,
    type: ChannelType | None = None,
    region: Annotated[str | None, Query(max_length=50)] = None,
    stage: Literal["pending", "introduction", "growth", "maturity", "decline", "exit"] | None = None,
    stars: Annotated[int | None, Query(ge=1, le=5)] = None,
    card: Literal["none", "yellow", "red"] | None = None,
    manager_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the code or name")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ChannelPage:
    return registry.list_channels(svc, type=type, region=region, stage=stage, stars=stars, card=card,
                                  manager_id=manager_id, q=q, limit=limit, offset=offset)


@router.post("", response_model=ChannelView, status_code=201,
             summary="Register a channel (stage `pending` until its onboarding is approved)")
def create(body: ChannelCreate, actor: CurrentActor, svc: ServicesDep) -> ChannelView:
    return registry.create_channel(svc, actor=actor, values=body.model_dump(exclude={"comment"}),
                                   comment=body.comment)


@router.get("/{channel_id}", response_model=ChannelDetail,
            summary="A channel with its KPIs, quarters, stars, card, stage, alarms and workflow instances")
def get(channel_id: ChannelId, _: CurrentActor, svc: ServicesDep) -> ChannelDetail:
    return queries.get_channel(svc, channel_id=channel_id)


@router.patch("/{channel_id}", response_model=ChannelView,
              summary="Change a channel (admins; channel managers their own channels)")
def patch(channel_id: ChannelId, body: ChannelUpdate, actor: CurrentActor, svc: ServicesDep) -> ChannelView:
    return registry.update_channel(svc, actor=actor, channel_id=channel_id, changes=_changes(body),
                                   comment=body.comment)
