"""Groups defined by admins: `GET/POST /groups`, `GET/PATCH /groups/{code}` (codes such as `legal`
or `region:east`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import CurrentActor, ServicesDep
from api.schemas import GROUP_CODE, GroupCreate, GroupUpdate
from workflows.services import groups
from workflows.services.groups import GroupView

router = APIRouter(prefix="/groups", tags=["groups"])
Code = Annotated[str, Path(min_length=1, max_length=57, pattern=GROUP_CODE, examples=["region:east"])]


@router.get("", response_model=list[GroupView], summary="The groups, with their titles and members (any user)")
def list_groups(actor: CurrentActor, svc: ServicesDep, active: bool | None = None,
                region: Annotated[bool | None, Query(description="only region groups (true) or none (false)")]
                = None) -> list[GroupView]:
    return groups.list_groups(svc, actor=actor, active=active, region=region)


@router.post("", response_model=GroupView, status_code=201, summary="Create a group (admin)")
def create(body: GroupCreate, actor: CurrentActor, svc: ServicesDep) -> GroupView:
    return groups.add_group(svc, actor=actor, code=body.code, title_zh=body.title_zh, title_en=body.title_en,
                            description=body.description)


@router.get("/{code}", response_model=GroupView, summary="One group (any user)")
def get(code: Code, actor: CurrentActor, svc: ServicesDep) -> GroupView:
    return groups.get_group(svc, actor=actor, code=code)


@router.patch("/{code}", response_model=GroupView,
              summary="Change a group's titles, description or active flag (admin); the code never changes")
def change(code: Code, body: GroupUpdate, actor: CurrentActor, svc: ServicesDep) -> GroupView:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return groups.update_group(svc, actor=actor, code=code, changes=changes)
