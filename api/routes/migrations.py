"""Moving running instances to another version of their workflow (docs/migration.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import Field, StringConstraints

from api.deps import CurrentActor, ServicesDep
from api.schemas import Body
from workflows.services import migration
from workflows.services.migration import MigrationReport

router = APIRouter(prefix="/workflows", tags=["workflows"])
WorkflowName = Annotated[str, Path(min_length=1, max_length=100)]
StateName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Version = Annotated[int, Field(ge=1, le=1_000_000)]


class MigrationCreate(Body):
    to_version: Version = Field(examples=[2])
    from_version: Version | None = Field(default=None, description="only instances on this version "
                                                                   "(default: every version below to_version)")
    map: dict[StateName, StateName] = Field(default_factory=dict, max_length=migration.MAX_MAP,
                                            description="OLD state -> NEW state; a state not named maps to the "
                                                        "state of the same name", examples=[{"parked": "on_hold"}])
    instances: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        default=None, max_length=migration.MAX_INSTANCES, description="only these instances")
    dry_run: bool = Field(default=False, description="report what would happen and change nothing")


@router.post("/{name}/migrations", response_model=MigrationReport,
             summary="Migrate running instances to another version (or a dry run of it)")
def migrate(name: WorkflowName, body: MigrationCreate, actor: CurrentActor, svc: ServicesDep) -> MigrationReport:
    """One instance per transaction, audited; asked again after an interruption, it moves the rest
    (each instance once). Blocked instances are reported with why, and stay where they are."""
    return migration.migrate_instances(svc, actor=actor, workflow=name, to_version=body.to_version,
                                       from_version=body.from_version, state_map=body.map,
                                       instance_ids=body.instances, dry_run=body.dry_run)
