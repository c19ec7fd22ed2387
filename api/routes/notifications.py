"""Notification targets (where messages go), per-user preferences, and the outbox for admins:
list pending, sent and dead notifications, and requeue the dead ones."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.deps import CurrentActor, ServicesDep
from api.schemas import Body, Page
from workflows.services import outbox, preferences, targets
from workflows.services.outbox import OutboxFilter, OutboxItem
from workflows.services.preferences import PreferencesView
from workflows.services.targets import SendTestResult, TargetView

router = APIRouter(tags=["notifications"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Status = Literal["pending", "sent", "dead"]


class TargetCreate(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"owner_type": "group", "owner": "finance", "kind": "dingtalk", "url": "dingtalk://SECRET@TOKEN/"},
        {"kind": "email", "url": "mailtos://bot:PASSWORD@example.com?to=li@example.com", "locale": "zh"}]})
    owner_type: Literal["user", "group"] = Field(default="user", description="default: the caller")
    owner: str | None = Field(default=None, min_length=1, max_length=100,
                              description="a user id or a group name; default: the caller's own id")
    kind: str = Field(min_length=1, max_length=20, examples=["email"])
    url: str = Field(min_length=1, max_length=targets.URL_MAX, description="write-only: answers mask its secrets")
    locale: Literal["zh", "en"] | None = None


class TargetChange(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"url": "dingtalk://NEWSECRET@NEWTOKEN/"}, {"locale": "en"}]})
    kind: str | None = Field(default=None, min_length=1, max_length=20)
    url: str | None = Field(default=None, min_length=1, max_length=targets.URL_MAX)
    locale: Literal["zh", "en"] | None = Field(default=None, description="null clears it")


class PreferencesBody(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"muted": False, "channels": {"reminder": ["dingtalk"], "meeting": ["email"]}}]})
    muted: bool = False
    channels: dict[Annotated[str, Field(max_length=30)], Annotated[list[Annotated[str, Field(max_length=20)]],
                                                                    Field(max_length=10)]] = Field(
        default_factory=dict, max_length=20,
        description="kind of message (task_assigned, reminder, overdue, meeting, card_alarm, other) → target kinds")


class RequeueFilter(Body):
    kind: str | None = Field(default=None, max_length=100, description="the template, e.g. task_opened")
    recipient: str | None = Field(default=None, max_length=200)
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None


class RequeueBody(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"ids": [12, 13]}, {"filter": {"kind": "meeting_agenda", "from": "2026-11-01T00:00:00+08:00"}},
        {"filter": {}}]})
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(default=None, max_length=outbox.REQUEUE_MAX)
    filter: RequeueFilter | None = Field(default=None, description="every dead row matching it (at most 1000)")


class Requeued(BaseModel):
    requeued: list[int]
    count: int


@router.get("/notification-targets", response_model=list[TargetView],
            summary="Active notification targets: an admin's all (or filtered), a user's own; URLs masked")
def list_targets(actor: CurrentActor, svc: ServicesDep,
                 owner_type: Annotated[Literal["user", "group"] | None, Query()] = None,
                 owner: Annotated[str | None, Query(max_length=100)] = None,
                 kind: Annotated[str | None, Query(max_length=20)] = None) -> list[TargetView]:
    return targets.list_targets(svc, actor=actor, owner_type=owner_type, owner=owner, kind=kind)


@router.post("/notification-targets", response_model=TargetView, status_code=201,
             summary="Add a target (a user their own; an admin anyone's or a group's); 422 at the field")
def add_target(body: TargetCreate, actor: CurrentActor, svc: ServicesDep) -> TargetView:
    owner = body.owner if body.owner is not None else str(actor.id)
    return targets.add_target(svc, actor=actor, owner_type=body.owner_type, owner=owner, kind=body.kind,
                              url=body.url, locale=body.locale)


@router.get("/notification-targets/{target_id}", response_model=TargetView, summary="One target, URL masked")
def get_target(target_id: Id, actor: CurrentActor, svc: ServicesDep) -> TargetView:
    return targets.get_target(svc, actor=actor, target_id=target_id)


@router.patch("/notification-targets/{target_id}", response_model=TargetView,
              summary="Change a target's kind, URL or locale (its owner, or an admin)")
def change_target(target_id: Id, body: TargetChange, actor: CurrentActor, svc: ServicesDep) -> TargetView:
    extra: dict[str, Any] = {"locale": body.locale} if "locale" in body.model_fields_set else {}
    return targets.update_target(svc, actor=actor, target_id=target_id, kind=body.kind, url=body.url, **extra)


@router.delete("/notification-targets/{target_id}", status_code=204, response_class=Response,
               summary="Remove a target (its owner, or an admin)")
def remove_target(target_id: Id, actor: CurrentActor, svc: ServicesDep) -> Response:
    targets.remove_target(svc, actor=actor, target_id=target_id)
    return Response(status_code=204)


def probe_notifier(request: Request) -> Any:
    """The notifier for test messages: `app.state.probe_notifier` if set (tests), else None: the service's
    default, apprise with a timeout of `targets.TEST_TIMEOUT` seconds."""
    return getattr(request.app.state, "probe_notifier", None)


@router.post("/notification-targets/{target_id}/test", response_model=SendTestResult,
             summary="Send a test message now and report the provider's answer (ok, or its error)")
def send_test(target_id: Id, request: Request, actor: CurrentActor, svc: ServicesDep) -> SendTestResult:
    return targets.send_test(svc, actor=actor, target_id=target_id, notifier=probe_notifier(request))


@router.get("/users/{user_id}/notification-preferences", response_model=PreferencesView,
            summary="A user's notification preferences (the user, or an admin)")
def get_preferences(user_id: Id, actor: CurrentActor, svc: ServicesDep) -> PreferencesView:
    return preferences.get_preferences(svc, actor=actor, user_id=user_id)


@router.put("/users/{user_id}/notification-preferences", response_model=PreferencesView,
            summary="Replace a user's notification preferences: mute, and target kinds per kind of message")
def put_preferences(user_id: Id, body: PreferencesBody, actor: CurrentActor, svc: ServicesDep) -> PreferencesView:
    return preferences.set_preferences(svc, actor=actor, user_id=user_id, muted=body.muted, channels=body.channels)


@router.get("/outbox", response_model=Page[OutboxItem], summary="Notifications, newest first, paginated (admin)")
def list_outbox(
    actor: CurrentActor, svc: ServicesDep,
    status: Annotated[Status | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=100, description="the template, e.g. task_opened")] = None,
    recipient: Annotated[str | None, Query(max_length=200, examples=["user:7", "group:finance"])] = None,
    since: Annotated[AwareDatetime | None, Query(alias="from", description="created at or after")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to", description="created before")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[OutboxItem]:
    where = OutboxFilter(status=status, template=kind, recipient=recipient, since=since, until=until)
    page = outbox.outbox_page(svc, actor=actor, where=where, limit=limit, offset=offset)
    return Page[OutboxItem](items=page.items, total=page.total, limit=page.limit, offset=page.offset)


@router.post("/outbox/requeue", response_model=Requeued,
             summary="Requeue dead notifications (admin): the ids given, or every dead one matching a filter")
def requeue_many(body: RequeueBody, actor: CurrentActor, svc: ServicesDep) -> Requeued:
    where = None
    if body.filter is not None:
        where = OutboxFilter(status="dead", template=body.filter.kind, recipient=body.filter.recipient,
                             since=body.filter.from_, until=body.filter.to)
    done = outbox.requeue_many(svc, actor=actor, ids=body.ids, where=where)
    return Requeued(requeued=done, count=len(done))


@router.post("/outbox/{outbox_id}/requeue", response_model=OutboxItem,
             summary="Requeue one dead notification (admin): pending, no attempts, due now")
def requeue_one(outbox_id: Id, actor: CurrentActor, svc: ServicesDep) -> OutboxItem:
    view = outbox.requeue_dead(svc, actor=actor, outbox_id=outbox_id)
    return OutboxItem.model_validate(view.model_dump())
