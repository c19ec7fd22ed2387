"""Register a channel and change one through forms: the API's request models and the registry's
service functions (`channels.registry`), so the checks and the permissions are the API's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.responses import Response

from api.routes.channels import ChannelCreate, ChannelUpdate
from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.forms import FieldErrors, lines_to_mapping, validated
from channels import choices, queries, registry
from channels.permissions import ChannelAction, ChannelRef
from channels.regions import TITLES as REGION_TITLES
from channels.regions import region_title
from channels.tables import CHANNEL_TYPES
from channels.views import ChannelView
from workflows.domain.errors import Conflict, InvalidInput

router = APIRouter(prefix="/channels")
ChannelId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FIELDS = ("code", "name", "type", "region", "manager_id", "contacts", "monthly_target", "activate", "comment")


def _choices(ui: Ui, *, current_region: str = "") -> dict[str, Any]:
    """The drop-downs: types (titled in the template), regions by title, active users as managers."""
    used = choices.regions_in_use(ui.svc)
    codes = sorted(set(REGION_TITLES) | used | ({current_region} if current_region else set()))
    return {"types": CHANNEL_TYPES,
            "regions": [(code, region_title(code, ui.locale)) for code in codes],
            "managers": [(p.id, p.name) for p in choices.active_people(ui.svc)],
            "may_assign": ui.may(ChannelAction.ASSIGN_CHANNEL_MANAGER),
            "may_activate": ui.may(ChannelAction.REGISTER_ACTIVE_CHANNEL)}


def _page(ui: Ui, *, values: dict[str, str], errors: FieldErrors | None, channel: ChannelView | None,
          status: int = 200) -> Response:
    return render.html(ui, "channel_form.html", status=status, values=values,
                       errors=errors.by_field if errors else {}, channel=channel,
                       **_choices(ui, current_region=values.get("region", "")))


def _contacts_text(contacts: dict[str, Any]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in contacts.items())


def _read(ui: Ui, errors: FieldErrors, *, names: tuple[str, ...]) -> dict[str, Any]:
    """The form's fields as the API's JSON body would carry them (numbers and mappings parsed)."""
    form = ui.form
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in names
                            if name not in ("contacts", "activate", "manager_id", "monthly_target", "comment")}
    data["contacts"] = lines_to_mapping(form.get("contacts", ""), errors, "contacts",
                                        lambda: ui.gettext("One contact per line: name: value."))
    target = form.get("monthly_target", "").replace(",", "").strip()
    data["monthly_target"] = target or None
    if "manager_id" in names and ui.may(ChannelAction.ASSIGN_CHANNEL_MANAGER):
        data["manager_id"] = form.get("manager_id", "").strip() or None
    if "activate" in names:
        data["activate"] = form.get("activate") == "1"
    data["comment"] = form.get("comment", "").strip() or None
    return data


@router.get("/new")
def new_channel(ui: UiDep) -> Response:
    ui.allowed(ChannelAction.REGISTER_CHANNEL)
    return _page(ui, values={"type": CHANNEL_TYPES[0]}, errors=None, channel=None)


@router.post("/new")
def create_channel(ui: PostDep) -> Response:
    actor = ui.allowed(ChannelAction.REGISTER_CHANNEL)
    errors = FieldErrors(ui)
    data = _read(ui, errors, names=FIELDS)
    body = validated(ChannelCreate, data, errors)
    if body is not None and not errors:
        try:
            view = registry.create_channel(ui.svc, actor=actor, values=body.model_dump(exclude={"comment"}),
                                           comment=body.comment)
            return render.redirect(ui, f"/channels/{view.id}")
        except InvalidInput as exc:
            errors.service(exc.problems)
        except Conflict:
            errors.add("code", ui.gettext("A channel with this code exists already."))
    return _page(ui, values=dict(ui.form), errors=errors, channel=None, status=422)


def _editable(ui: Ui, channel_id: int) -> ChannelView:
    channel = queries.get_channel(ui.svc, channel_id=channel_id).channel
    ui.allowed(ChannelAction.CHANGE_CHANNEL, ChannelRef(manager_id=channel.manager_id))
    return channel


@router.get("/{channel_id}/edit")
def edit_channel(ui: UiDep, channel_id: ChannelId) -> Response:
    channel = _editable(ui, channel_id)
    target = channel.monthly_target
    values = {"name": channel.name, "type": channel.type, "region": channel.region,
              "manager_id": str(channel.manager_id or ""), "contacts": _contacts_text(channel.contacts),
              "monthly_target": f"{target:.0f}" if target is not None and target == int(target) else str(target or "")}
    return _page(ui, values=values, errors=None, channel=channel)


@router.post("/{channel_id}/edit")
def update_channel(ui: PostDep, channel_id: ChannelId) -> Response:
    channel = _editable(ui, channel_id)
    errors = FieldErrors(ui)
    data = _read(ui, errors, names=("name", "type", "region", "manager_id", "contacts", "monthly_target", "comment"))
    body = validated(ChannelUpdate, data, errors)
    if body is not None and not errors:
        changes = body.model_dump(exclude={"comment"})
        if "manager_id" not in data:  # only an administrator names a manager: others leave it as it is
            changes.pop("manager_id")
        try:
            registry.update_channel(ui.svc, actor=ui.user, channel_id=channel_id, changes=changes,
                                    comment=body.comment)
            return render.redirect(ui, f"/channels/{channel_id}")
        except InvalidInput as exc:
            errors.service(exc.problems)
    return _page(ui, values=dict(ui.form), errors=errors, channel=channel, status=422)
