"""Deliver outbox rows to their recipients' targets, with retries, backoff and dead letters.

Contract: safe to repeat and safe to run in several workers at once; no notification is lost.
Each due row is handled on its own:

1. claim (one short transaction): the row is re-selected while still ``pending`` and due (on
   PostgreSQL ``FOR UPDATE SKIP LOCKED``, so workers split the rows; on SQLite the write
   transaction is exclusive) and leased by moving `next_attempt_at` LEASE ahead, so no other
   worker picks it up meanwhile; its targets are resolved and the messages rendered;
2. send, outside any transaction (a slow mail server holds no lock and blocks no other writer);
3. record (one transaction): a `delivery_attempts` row per target tried, then the row is
   ``sent`` when every target has succeeded, else retried after a backoff (30 s doubling per
   attempt, at most 1 h) or ``dead`` after `max_attempts`, with the last error.

A target whose URL already succeeded for the row is not tried again, so a retry only repeats the
failed ones. Delivery is at least once: a worker that dies between sending and recording sends
again once the lease has run out. A row whose recipient has no active target is marked ``sent``
with last_error ``no targets configured`` (there is nobody to retry for; it stays visible).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from workflows.adapters.notifier import ActionLink, Attachment, DeliveryError, Notifier
from workflows.adapters.templates import render
from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, require
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import action_links
from workflows.services.context import Services
from workflows.services.records import audit
from workflows.services.targets import Target, targets_for
from workflows.services.views import View

log = logging.getLogger(__name__)
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=10)
NO_TARGETS = "no targets configured"
SWEEP = 100
MAX_SWEEPS = 100_000  # a drain stops after this many calls (10 million rows) even if more are due


@dataclass(frozen=True)
class DispatchResult:
    """How many rows one call sent, put back for a retry, and gave up on."""

    sent: int = 0
    retried: int = 0
    dead: int = 0

    def __add__(self, other: DispatchResult) -> DispatchResult:
        return DispatchResult(sent=self.sent + other.sent, retried=self.retried + other.retried,
                              dead=self.dead + other.dead)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.dead


class OutboxView(View):
    id: int
    instance_id: int | None
    recipient: str
    template: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class _Message:
    target: Target
    title: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    actions: tuple[ActionLink, ...] = ()  # decision links for the target's user (action_links.issue)


@dataclass(frozen=True)
class _Try:
    target_id: int
    error: str | None
    duration_ms: int


def with_link(payload: dict[str, Any], *, public_url: str) -> dict[str, Any]:
    """The payload with an absolute `link`: a relative one is put under `public_url`, and a
    message about an instance links to its page in the web UI."""
    link = payload.get("link")
    if isinstance(link, str) and link.startswith("/"):
        return {**payload, "link": public_url + link}
    if link is None and isinstance(payload.get("instance_id"), int):
        return {**payload, "link": f"{public_url}/instances/{payload['instance_id']}"}
    return payload


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, ... at most 1 h."""
    return min(FIRST_BACKOFF * (1 << min(max(attempts - 1, 0), 16)), MAX_BACKOFF)


def dispatch_outbox(svc: Services, *, notifier: Notifier, now: datetime | None = None, limit: int = 100,
                    max_attempts: int = 5) -> DispatchResult:
    """Deliver the pending rows due at `now` (default: the clock's now), oldest first, up to `limit`.

    Rows another worker holds or has just leased are skipped and not counted.
    """
    moment = now or svc.clock.now()
    c = t.outbox.c
    with svc.uow(write=False) as uow:
        ids = list(uow.conn.execute(select(c.id).where(c.status == "pending", c.next_attempt_at <= moment)
                                    .order_by(c.next_attempt_at, c.id).limit(limit)).scalars())
    outcomes = [deliver(svc, notifier=notifier, outbox_id=i, now=moment, max_attempts=max_attempts) for i in ids]
    return DispatchResult(sent=outcomes.count("sent"), retried=outcomes.count("retried"),
                          dead=outcomes.count("dead"))


def drain_outbox(svc: Services, *, notifier: Notifier, now: datetime | None = None,
                 progress: Callable[[DispatchResult], None] | None = None) -> DispatchResult:
    """Deliver every row due by `now` (default: the clock's now), `SWEEP` at a time, until a call
    handles none; `progress` gets the running total after each call.

    Ends: `now` stays fixed and a row tried is due again only after its backoff (or its lease);
    at most `MAX_SWEEPS` calls run.
    """
    moment = now or svc.clock.now()
    total = DispatchResult()
    for _ in range(MAX_SWEEPS):
        result = dispatch_outbox(svc, notifier=notifier, now=moment, limit=SWEEP)
        if result.handled == 0:
            break
        total += result
        if progress is not None:
            progress(total)
    return total


def deliver(svc: Services, *, notifier: Notifier, outbox_id: int, now: datetime, max_attempts: int = 5) -> str:
    """Claim, send and record one row; returns sent, retried, dead or skipped (not due or taken)."""
    try:
        claimed = _claim(svc, outbox_id=outbox_id, now=now)
        if claimed is None:
            return "skipped"
        tries = [_send(notifier, message) for message in claimed]
        return _record(svc, outbox_id=outbox_id, tries=tries, now=now, max_attempts=max_attempts)
    except Exception as exc:  # isolate the failing row; the sweep goes on with the others
        log.warning("outbox row %s failed: %s", outbox_id, exc, exc_info=True)
        return _record(svc, outbox_id=outbox_id, tries=[], now=now, max_attempts=max_attempts, error=str(exc))


def _claim(svc: Services, *, outbox_id: int, now: datetime) -> list[_Message] | None:
    c = t.outbox.c
    with svc.uow() as uow:
        query = select(t.outbox).where(c.id == outbox_id, c.status == "pending", c.next_attempt_at <= now)
        if uow.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = uow.conn.execute(query).mappings().first()
        if row is None:
            return None
        targets = targets_for(uow, row["recipient"], row["template"])
        if targets is None:
            raise ValueError(f"unknown recipient {row['recipient']!r}")
        done = _delivered_urls(uow, outbox_id)
        zone = svc.calendar.config.timezone
        payload = with_link(row["payload"], public_url=svc.public_url)
        messages = [_Message(target, *render(row["template"], payload, target.locale, zone=zone),
                             attachments=attachments_for(row["payload"], target),
                             actions=_actions(svc, uow, row, target, now))
                    for target in targets if target.url not in done]
        uow.conn.execute(update(t.outbox).where(c.id == outbox_id).values(next_attempt_at=now + LEASE))
        uow.commit()
    return messages


def _actions(svc: Services, uow: UnitOfWork, row: Any, target: Target, now: datetime) -> tuple[ActionLink, ...]:
    """A user's target of a task notification gets decision links (a group's target: the page link only)."""
    if target.user_id is None:
        return ()
    links = action_links.issue(svc, uow, outbox_id=row["id"], template=row["template"], payload=row["payload"],
                               user_id=target.user_id, locale=target.locale, now=now)
    return tuple(ActionLink(label=link.label, url=link.url, action=link.action) for link in links)


def _delivered_urls(uow: UnitOfWork, outbox_id: int) -> set[str]:
    a, nt = t.delivery_attempts.c, t.notification_targets.c
    rows = uow.conn.execute(select(nt.url).join_from(t.delivery_attempts, t.notification_targets,
                                                     a.target_id == nt.id).where(a.outbox_id == outbox_id, a.ok))
    return set(rows.scalars())


def attachments_for(payload: dict[str, Any], target: Target) -> tuple[Attachment, ...]:
    """Files for an e-mail target: a payload's ``attachments`` (``filename``, ``content_type`` and
    ``content``, a text or a {locale: text} map). Chat and webhook targets get the message alone."""
    if not target.url.lower().startswith(("mailto:", "mailtos:")):
        return ()
    found = []
    for item in payload.get("attachments") or ():
        content = item.get("content") if isinstance(item, dict) else None
        if isinstance(content, dict):
            content = content.get(target.locale) or next(iter(content.values()), None)
        if isinstance(content, str) and isinstance(item.get("filename"), str):
            found.append(Attachment(filename=item["filename"], content_type=str(item.get("content_type") or
                                                                                "application/octet-stream"),
                                    content=content))
    return tuple(found)


def _send(notifier: Notifier, message: _Message) -> _Try:
    started = time.perf_counter()
    error: str | None = None
    try:
        send_with = getattr(notifier, "send_with", None)
        if message.actions and send_with is not None:
            send_with(url=message.target.url, title=message.title, body=message.body,
                      attachments=message.attachments, actions=message.actions)
        elif message.attachments and send_with is not None:
            send_with(url=message.target.url, title=message.title, body=message.body,
                      attachments=message.attachments)
        else:
            notifier.send(url=message.target.url, title=message.title, body=message.body)
    except DeliveryError as exc:
        error = str(exc) or "delivery failed"
    except Exception as exc:  # a broken notifier is one failed target, not a lost row
        log.warning("notifier failed on target %s", message.target.id, exc_info=True)
        error = f"{type(exc).__name__}: {exc}"
    return _Try(target_id=message.target.id, error=error, duration_ms=int((time.perf_counter() - started) * 1000))


def _record(svc: Services, *, outbox_id: int, tries: list[_Try], now: datetime, max_attempts: int,
            error: str | None = None) -> str:
    c = t.outbox.c
    with svc.uow() as uow:
        query = select(c.attempts, c.status).where(c.id == outbox_id)
        row = uow.conn.execute(query.with_for_update() if uow.dialect == "postgresql" else query).first()
        if row is None or row.status != "pending":
            return "skipped"
        if tries:
            uow.conn.execute(insert(t.delivery_attempts), [
                {"outbox_id": outbox_id, "target_id": one.target_id, "at": now, "ok": one.error is None,
                 "error": one.error, "duration_ms": one.duration_ms} for one in tries])
        errors = [f"target {one.target_id}: {one.error}" for one in tries if one.error] + ([error] if error else [])
        if not errors:
            note = None if tries or _delivered_urls(uow, outbox_id) else NO_TARGETS
            values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": note}
            outcome = "sent"
        else:
            attempts = row.attempts + 1
            outcome = "dead" if attempts >= max_attempts else "retried"
            values = {"status": "dead" if outcome == "dead" else "pending", "attempts": attempts,
                      "next_attempt_at": now + backoff(attempts), "last_error": "; ".join(errors)[:2000]}
        uow.conn.execute(update(t.outbox).where(c.id == outbox_id).values(**values))
        uow.commit()
    return outcome


def requeue_dead(svc: Services, *, actor: Actor, outbox_id: int) -> OutboxView:
    """Give a dead row a fresh start: pending, attempts 0, due now. Admins only; audited.

    Targets that already succeeded for the row are still not tried again.
    """
    require(actor, Action.MANAGE_OUTBOX)
    now = svc.clock.now()
    c = t.outbox.c
    with svc.uow() as uow:
        row = uow.conn.execute(select(t.outbox).where(c.id == outbox_id)).mappings().first()
        if row is None:
            raise NotFound(f"outbox row {outbox_id} not found")
        if row["status"] != "dead":
            raise Conflict(f"outbox row {outbox_id} is {row['status']}, not dead")
        values = {"status": "pending", "attempts": 0, "next_attempt_at": now}
        uow.conn.execute(update(t.outbox).where(c.id == outbox_id).values(**values))
        audit(uow, now=now, actor=actor, entity_type="outbox", entity_id=outbox_id, action="requeued",
              instance_id=row["instance_id"], comment=row["last_error"],
              data={"recipient": row["recipient"], "template": row["template"], "attempts": row["attempts"]})
        uow.commit()
    return OutboxView.model_validate({**dict(row), **values})


STATUSES = ("pending", "sent", "dead")
REQUEUE_MAX = 1000  # rows one bulk requeue puts back (each is audited); repeat for more


class OutboxItem(View):
    """An outbox row as listed for admins (without its payload, which may carry attachments)."""

    id: int
    instance_id: int | None
    recipient: str
    template: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class OutboxFilter:
    """Which rows: of a status, a template (the kind of message), a recipient (`user:7`, `group:finance`),
    created in [since, until)."""

    status: str | None = None
    template: str | None = None
    recipient: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> list[Any]:
        c = t.outbox.c
        found: list[Any] = []
        if self.status is not None:
            found.append(c.status == self.status)
        if self.template is not None:
            found.append(c.template == self.template)
        if self.recipient is not None:
            found.append(c.recipient == self.recipient)
        if self.since is not None:
            found.append(c.created_at >= self.since)
        if self.until is not None:
            found.append(c.created_at < self.until)
        return found


@dataclass(frozen=True)
class OutboxPage:
    items: list[OutboxItem]
    total: int
    limit: int
    offset: int


def _check(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise InvalidInput("unknown outbox status", [Problem("status", f"must be one of {', '.join(STATUSES)}")])


def list_outbox(svc: Services, *, actor: Actor, status: str | None = None, limit: int = 100,
                offset: int = 0, where: OutboxFilter | None = None) -> list[OutboxView]:
    """The newest outbox rows, optionally of one status (pending, sent, dead). Admins only."""
    require(actor, Action.MANAGE_OUTBOX)
    found = OutboxFilter(status=status) if where is None else where
    _check(found.status)
    query = select(t.outbox).where(*found.where()).order_by(t.outbox.c.id.desc()).limit(limit).offset(offset)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(query).mappings().all()
    return [OutboxView.model_validate(dict(row)) for row in rows]


def outbox_page(svc: Services, *, actor: Actor, where: OutboxFilter, limit: int = 50,
                offset: int = 0) -> OutboxPage:
    """One page of outbox rows matching `where`, newest first, with the number of all that match. Admins only."""
    require(actor, Action.MANAGE_OUTBOX)
    _check(where.status)
    c = t.outbox.c
    columns = [c[name] for name in OutboxItem.model_fields]
    with svc.uow(write=False) as uow:
        total = int(uow.conn.execute(select(func.count()).select_from(t.outbox).where(*where.where())).scalar_one())
        rows = uow.conn.execute(select(*columns).where(*where.where()).order_by(c.id.desc())
                                .limit(limit).offset(offset)).mappings().all()
    return OutboxPage(items=[OutboxItem.model_validate(dict(r)) for r in rows], total=total, limit=limit,
                      offset=offset)


def requeue_many(svc: Services, *, actor: Actor, ids: list[int] | None = None,
                 where: OutboxFilter | None = None) -> list[int]:
    """Put dead rows back to pending, due now: the rows `ids` (each must be dead), or every dead row
    matching `where` (at most `REQUEUE_MAX`, oldest first). One transaction; one audit row each.
    Returns the ids requeued.

    Raises:
        InvalidInput: neither or both of ids and where, or more than `REQUEUE_MAX` ids.
        NotFound: an id that is no outbox row. Conflict: an id whose row is not dead (nothing changes).
    """
    require(actor, Action.MANAGE_OUTBOX)
    if (ids is None) == (where is None):
        raise InvalidInput("give either ids or a filter", [Problem("ids", "give ids, or a filter without ids")])
    if ids is not None and len(ids) > REQUEUE_MAX:
        raise InvalidInput("too many ids", [Problem("ids", f"at most {REQUEUE_MAX} at once")])
    now = svc.clock.now()
    c = t.outbox.c
    with svc.uow() as uow:
        if ids is not None:
            wanted = sorted(set(ids))
            chosen = select(c.id, c.status, c.recipient, c.template, c.attempts, c.instance_id,
                            c.last_error).where(c.id.in_(wanted))
            if uow.dialect == "postgresql":  # a dispatcher or another admin cannot change them meanwhile
                chosen = chosen.with_for_update()
            rows = uow.conn.execute(chosen).mappings().all()
            missing = sorted(set(wanted) - {r["id"] for r in rows})
            if missing:
                raise NotFound(f"outbox rows not found: {', '.join(map(str, missing))}")
            alive = [f"{r['id']} is {r['status']}" for r in rows if r["status"] != "dead"]
            if alive:
                raise Conflict("only dead rows can be requeued: " + "; ".join(sorted(alive)))
        else:
            assert where is not None
            matching = OutboxFilter(status="dead", template=where.template, recipient=where.recipient,
                                    since=where.since, until=where.until)
            chosen = select(c.id, c.status, c.recipient, c.template, c.attempts, c.instance_id,
                            c.last_error).where(*matching.where()).order_by(c.id).limit(REQUEUE_MAX)
            if uow.dialect == "postgresql":
                chosen = chosen.with_for_update(skip_locked=True)
            rows = uow.conn.execute(chosen).mappings().all()
        done = [r["id"] for r in rows]
        if done:
            uow.conn.execute(update(t.outbox).where(c.id.in_(done), c.status == "dead")
                             .values(status="pending", attempts=0, next_attempt_at=now))
        for r in rows:
            audit(uow, now=now, actor=actor, entity_type="outbox", entity_id=r["id"], action="requeued",
                  instance_id=r["instance_id"], comment=r["last_error"],
                  data={"recipient": r["recipient"], "template": r["template"], "attempts": r["attempts"]})
        uow.commit()
    return done


def next_delivery_due(svc: Services) -> datetime | None:
    """The earliest next attempt of a pending outbox row (leased rows count from their lease's end)."""
    with svc.uow(write=False) as uow:
        due: datetime | None = uow.conn.execute(
            select(func.min(t.outbox.c.next_attempt_at)).where(t.outbox.c.status == "pending")).scalar()
    return due
