"""Use cases on definitions: validate, publish a new version, publish the shipped ones, read."""

from __future__ import annotations

from importlib import resources

from sqlalchemy import bindparam, func, insert, select

from workflows.domain.definition import WorkflowDefinition
from workflows.domain.errors import Conflict, InvalidInput, NotFound
from workflows.domain.limits import yaml_problems
from workflows.domain.permissions import Action, require
from workflows.domain.principals import Actor
from workflows.domain.validation import ValidationResult, validate_source
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.groups import known_codes
from workflows.services.records import audit
from workflows.services.views import DefinitionView

SHIPPED = ("channel_onboarding", "complaint", "card_escalation", "channel_lifecycle")


def validate_definition(svc: Services, source: str) -> ValidationResult:
    """Check a definition against the registry's guards and effects and the database's groups; never
    raises for bad input. A group that does not exist is a problem at its line.

    A text over `svc.limits.yaml_bytes` is refused before it is parsed.
    """
    if too_large := yaml_problems(source, svc.limits):
        return ValidationResult(None, too_large, refused=True)
    return validate_source(source, svc.registry.vocabulary(groups=known_codes(svc)))


_LATEST = (select(t.definitions).where(t.definitions.c.name == bindparam("name"))
           .order_by(t.definitions.c.version.desc()).limit(1))


def latest_version(uow: UnitOfWork, name: str) -> DefinitionView | None:
    """The latest published version of workflow `name` (the highest version number), or None."""
    row = uow.conn.execute(_LATEST, {"name": name}).mappings().first()
    return None if row is None else DefinitionView.model_validate(dict(row))


def latest_definition_id(svc: Services, uow: UnitOfWork, workflow: str) -> int:
    """The id of the latest published version (cached briefly: see `Services.latest_ids`).

    Raises:
        NotFound: no version of `workflow` is published.
    """
    cached = svc.latest_ids.get(workflow)
    if cached is not None:
        return cached
    stamp = svc.latest_ids.stamp()
    found = latest_version(uow, workflow)
    if found is None:
        raise NotFound(f"no published workflow named {workflow!r}")
    svc.latest_ids.put(workflow, found.id, stamp=stamp)
    return found.id


def published_definition(svc: Services, view: DefinitionView) -> WorkflowDefinition | None:
    """A published version's definition from the compiled cache (parsed once per process), or None
    when it no longer validates against this registry (a published text never changes, but the
    registry may lose a guard or an effect it names)."""
    found = svc.cached(view.id)
    if found is not None:
        return found.definition
    try:
        with svc.uow(write=False) as uow:
            return svc.compiled(uow.conn, view.id).definition
    except Conflict:
        return None


def _publish_in(svc: Services, uow: UnitOfWork, *, actor: Actor, source: str, result: ValidationResult
                ) -> DefinitionView:
    assert result.definition is not None
    name = result.definition.name
    latest = latest_version(uow, name)
    if latest is not None and latest.checksum == result.checksum:
        return latest.model_copy(update={"unchanged": True})
    version = (latest.version if latest is not None else 0) + 1
    now = svc.clock.now()
    values = {"name": name, "version": version, "title_zh": result.definition.title.zh,
              "title_en": result.definition.title.en, "source": source, "checksum": result.checksum,
              "published_by": actor.login, "published_at": now}
    new_id = uow.conn.execute(insert(t.definitions).returning(t.definitions.c.id), values).scalar_one()
    audit(uow, now=now, actor=actor, entity_type="definition", entity_id=new_id, action="published",
          data={"name": name, "version": version, "checksum": result.checksum})
    return DefinitionView(id=new_id, **values)


def publish_definition(svc: Services, *, actor: Actor, source: str) -> DefinitionView:
    """Validate and publish `source` as the next version of its workflow (admins only).

    Publishing the very text of the latest version adds nothing: that version comes back with
    `unchanged=True` (so a retried or repeated publish does not pile up identical versions).

    Raises:
        PermissionDenied: the actor is not an admin.
        InvalidInput: the definition has problems; every one is listed, nothing is written.
    """
    require(actor, Action.PUBLISH_DEFINITION)
    result = validate_definition(svc, source)
    if not result.valid:
        raise InvalidInput("the workflow definition is not valid", result.problems)
    with svc.uow() as uow:
        view = _publish_in(svc, uow, actor=actor, source=source, result=result)
        uow.commit()
    svc.latest_ids.clear()
    return view


def shipped_source(name: str) -> str:
    return resources.files("workflows.definitions").joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def publish_shipped(svc: Services, *, actor: Actor, names: tuple[str, ...] = SHIPPED) -> list[DefinitionView]:
    """Publish each shipped definition in `names` whose current text is not yet among its published
    versions; returns the versions published.

    Safe to run at every start: a definition already published (by checksum) is left alone,
    so an admin's later version stays the latest until the shipped text itself changes.
    Opens its own transaction: call it before, never inside, a unit of work.
    """
    published: list[DefinitionView] = []
    with svc.uow() as uow:
        for name in names:
            source = shipped_source(name)
            result = validate_definition(svc, source)
            if not result.valid:
                raise InvalidInput(f"shipped definition {name!r} is not valid", result.problems)
            known = uow.conn.execute(select(t.definitions.c.id).where(
                t.definitions.c.name == name, t.definitions.c.checksum == result.checksum)).first()
            if known is None:
                published.append(_publish_in(svc, uow, actor=actor, source=source, result=result))
        uow.commit()
    svc.latest_ids.clear()
    return published


def get_definition(svc: Services, *, name: str, version: int | None = None) -> DefinitionView:
    """Version `version` of workflow `name`, or its latest version."""
    with svc.uow(write=False) as uow:
        if version:
            row = uow.conn.execute(select(t.definitions).where(t.definitions.c.name == name,
                                                               t.definitions.c.version == version)).mappings().first()
            found = None if row is None else DefinitionView.model_validate(dict(row))
        else:
            found = latest_version(uow, name)
    if found is None:
        raise NotFound(f"no workflow {name!r}" + (f" version {version}" if version else ""))
    return found


def list_definitions(svc: Services) -> list[DefinitionView]:
    """The latest version of every published workflow."""
    latest = (select(t.definitions.c.name, func.max(t.definitions.c.version).label("version"))
              .group_by(t.definitions.c.name).subquery())
    query = select(t.definitions).join(latest, (t.definitions.c.name == latest.c.name)
                                       & (t.definitions.c.version == latest.c.version))
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(query.order_by(t.definitions.c.name)).mappings().all()
    return [DefinitionView.model_validate(dict(r)) for r in rows]


def list_versions(svc: Services, *, name: str) -> list[DefinitionView]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.definitions).where(t.definitions.c.name == name)
                                .order_by(t.definitions.c.version)).mappings().all()
    if not rows:
        raise NotFound(f"no workflow {name!r}")
    return [DefinitionView.model_validate(dict(r)) for r in rows]
