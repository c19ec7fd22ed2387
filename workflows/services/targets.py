"""Notification targets: where a user's or a group's notifications go (an apprise URL each).

Targets are configuration, not code: an admin manages anyone's, a user their own. The URL is
write-only: every answer shows it with its passwords, tokens and keys masked (`****abcd`).
`targets_for` turns an outbox recipient (`user:ID`, `login:L`, `group:G`, `role:R`, `robot:G`)
into the URLs to deliver to, honouring each user's notification preferences; the outbox
dispatcher calls it inside its own transaction. `send_test` sends a test message at once.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from sqlalchemy import insert, select, update

from workflows.adapters.notifier import AppriseNotifier, DeliveryError, Notifier, scheme_of
from workflows.domain.errors import InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, UserRef, allows, require
from workflows.domain.principals import Actor, is_known_group
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit
from workflows.services.views import View

# Which apprise schemes each kind accepts (apprise turns e.g. a WeCom https URL into wecombot).
KINDS: dict[str, frozenset[str]] = {
    "email": frozenset({"mailto", "mailtos"}),
    "dingtalk": frozenset({"dingtalk"}),
    "feishu": frozenset({"feishu", "lark"}),
    "wecom": frozenset({"wecombot"}),
    "webhook": frozenset({"json", "jsons", "form", "forms", "xml", "xmls"}),
}
OWNER_TYPES = ("user", "group")
URL_MAX = 2000
# What a URL of each kind looks like, for the message when one does not fit.
SHAPES: dict[str, str] = {
    "email": "mailto://USER@HOST?smtp=SERVER&to=ADDRESS or mailtos://USER:PASSWORD@HOST?to=ADDRESS",
    "dingtalk": "dingtalk://TOKEN/ or dingtalk://SECRET@TOKEN/ (letters and digits)",
    "feishu": "feishu://TOKEN or lark://TOKEN",
    "wecom": "wecombot://KEY or https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY",
    "webhook": "json://HOST[:PORT]/PATH (or jsons://, form://, forms://, xml://, xmls://)",
}
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_SECRET_PARAMS = frozenset({"key", "token", "secret", "pass", "password", "apikey", "api_key", "access_token",
                            "sign", "signature", "user_secret", "webhook"})
_TOKEN_SCHEMES = frozenset({"dingtalk", "feishu", "lark", "wecombot"})  # host and path are tokens


def mask(secret: str) -> str:
    """`****` and the last four characters of a long secret (`****abcd`); a short one shows nothing."""
    return "****" + secret[-4:] if len(secret) >= 12 else "****"


def masked(url: str) -> str:
    """`url` with its secrets masked: a password; a chat robot's tokens (host and path); query values
    named like a secret (key, token, secret, pass...) and HTTP headers (`+Name=value`)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "****"
    scheme = parts.scheme.lower()
    if not scheme or "://" not in url:
        return "****"
    user, _, password = parts.netloc.rpartition("@")[0].partition(":")
    host = parts.netloc.rpartition("@")[2]
    tokens = scheme in _TOKEN_SCHEMES
    if user and (password or tokens):
        userinfo = f"{user}:{mask(password)}@" if password else f"{mask(user)}@"
    else:
        userinfo = f"{user}@" if user else ""
    if tokens:
        host = mask(host)
        path = "/".join(mask(seg) if seg else seg for seg in parts.path.split("/"))
    else:
        path = parts.path
    query = "&".join(f"{quote(k, safe='+')}="
                     + (mask(v) if k.lower() in _SECRET_PARAMS or k.startswith("+") else quote(v, safe="@,:/"))
                     for k, v in _pairs(parts.query))
    return f"{scheme}://{userinfo}{host}{path}" + (f"?{query}" if query else "")


class TargetView(View):
    """A target as shown to people: the URL's passwords and tokens are masked."""

    id: int
    owner_type: str
    owner: str
    kind: str
    url: str
    locale: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Target:
    """A resolved delivery target: the URL and the locale to write in."""

    id: int
    url: str
    locale: str
    user_id: int | None = None  # the user the target belongs to (None: a group's target)


class SendTestResult(View):
    """What the provider answered to a test message: ok, or the error text."""

    target_id: int
    ok: bool
    error: str | None
    duration_ms: int


def _view(row: Any) -> TargetView:
    return TargetView.model_validate({**dict(row), "url": masked(row["url"])})


def _user_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else None


def _pairs(query: str) -> list[tuple[str, str]]:
    """A URL query's pairs, a `+` kept as it is (apprise's `+Header=value`, not a space)."""
    return [(unquote(k), unquote(v)) for k, _, v in (item.partition("=") for item in query.split("&") if item)]


def _owner(*, owner_type: str, owner: str) -> UserRef:
    """Whose a target is, for the permission table (a group's target is no user's)."""
    user_id = _user_id(owner)
    return UserRef(user_id if owner_type == "user" and str(user_id) == owner else None)


def _problems(uow: UnitOfWork, *, owner_type: str, owner: str, kind: str, url: str,
              locale: str | None) -> list[Problem]:
    problems = []
    if owner_type == "user":
        user_id = _user_id(owner)
        if user_id is None or uow.conn.execute(select(t.users.c.id).where(t.users.c.id == user_id)).first() is None:
            problems.append(Problem("owner", f"no user with id {owner!r}"))
    elif owner_type == "group":
        if not is_known_group(owner):
            problems.append(Problem("owner", f"unknown group {owner!r}"))
    else:
        problems.append(Problem("owner_type", "must be user or group"))
    problems += _url_problems(kind=kind, url=url)
    if locale is not None and locale not in ("zh", "en"):
        problems.append(Problem("locale", "must be zh or en"))
    return problems


def _url_problems(*, kind: str, url: str) -> list[Problem]:
    """What is wrong with `url` for a target of `kind`, said at the field (`kind` or `url`)."""
    if kind not in KINDS:
        return [Problem("kind", f"must be one of {', '.join(KINDS)}")]
    shape = f"expected {SHAPES[kind]}"
    if not url:
        return [Problem("url", f"is empty: {shape}")]
    if len(url) > URL_MAX:
        return [Problem("url", f"is longer than {URL_MAX} characters")]
    if any(ch.isspace() for ch in url):
        return [Problem("url", f"contains a space: {shape}")]
    scheme = scheme_of(url)
    if scheme is None:
        return [Problem("url", f"is not a usable {kind} URL: {shape}")]
    if scheme not in KINDS[kind]:
        return [Problem("url", f"a {kind} target needs a {'/'.join(sorted(KINDS[kind]))}:// URL, "
                               f"not {scheme}://: {shape}")]
    if kind == "email":
        query = dict(_pairs(urlsplit(url).query))
        wrong = [a for a in re.split(r"[,;\s]+", query.get("to", "")) if a and not _ADDRESS.match(a)]
        if "to" in query and (wrong or not query["to"].strip()):
            listed = ", ".join(repr(w) for w in wrong) or "nothing"
            return [Problem("url", f"to= must list e-mail addresses, not {listed}")]
    if kind == "webhook" and not urlsplit(url).hostname:
        return [Problem("url", f"names no host: {shape}")]
    return []


def add_target(svc: Services, *, actor: Actor, owner_type: str, owner: str, kind: str, url: str,
               locale: str | None = None) -> TargetView:
    """Add a target. Admins add any; a user adds targets for themself (owner = their user id).

    Raises:
        PermissionDenied: a non-admin adds a target for someone else or for a group.
        InvalidInput: unknown owner, kind or locale, or a URL apprise cannot use for that kind.
    """
    require(actor, Action.MANAGE_TARGETS, _owner(owner_type=owner_type, owner=owner))
    now = svc.clock.now()
    url = url.strip()
    with svc.uow() as uow:
        problems = _problems(uow, owner_type=owner_type, owner=owner, kind=kind, url=url, locale=locale)
        if problems:
            raise InvalidInput("the notification target is not valid", problems)
        values = {"owner_type": owner_type, "owner": owner, "kind": kind, "url": url, "locale": locale,
                  "active": True, "created_at": now}
        new_id = uow.conn.execute(insert(t.notification_targets).returning(t.notification_targets.c.id),
                                  values).scalar_one()
        audit(uow, now=now, actor=actor, entity_type="notification_target", entity_id=new_id, action="created",
              data={"owner_type": owner_type, "owner": owner, "kind": kind})
        uow.commit()
    return _view({**values, "id": new_id})


def get_target(svc: Services, *, actor: Actor, target_id: int) -> TargetView:
    """One active target (its owner, or an admin)."""
    with svc.uow(write=False) as uow:
        row = _active(uow, target_id)
    require(actor, Action.MANAGE_TARGETS, _owner(owner_type=row["owner_type"], owner=row["owner"]))
    return _view(row)


def _active(uow: UnitOfWork, target_id: int) -> dict[str, Any]:
    c = t.notification_targets.c
    row = uow.conn.execute(select(t.notification_targets).where(c.id == target_id, c.active.is_(True))
                           ).mappings().first()
    if row is None:
        raise NotFound(f"notification target {target_id} not found")
    return dict(row)


_UNSET: Any = object()


def update_target(svc: Services, *, actor: Actor, target_id: int, kind: str | None = None, url: str | None = None,
                  locale: str | None = _UNSET) -> TargetView:
    """Change a target's kind, URL or locale (`locale=None` clears it); the owner stays. Audited with
    the names of the fields changed (never the URL: it holds secrets).

    Raises:
        NotFound: no such active target. PermissionDenied: not the owner's or an admin.
        InvalidInput: the new kind, URL or locale is not valid (a kind change needs a URL of that kind).
    """
    now = svc.clock.now()
    with svc.uow() as uow:
        row = _active(uow, target_id)
        require(actor, Action.MANAGE_TARGETS, _owner(owner_type=row["owner_type"], owner=row["owner"]))
        values: dict[str, Any] = {}
        if kind is not None and kind != row["kind"]:
            values["kind"] = kind
        if url is not None and url.strip() != row["url"]:
            values["url"] = url.strip()
        if locale is not _UNSET and locale != row["locale"]:
            values["locale"] = locale
        merged = {**row, **values}
        problems = _url_problems(kind=merged["kind"], url=merged["url"]) if {"kind", "url"} & set(values) else []
        if "locale" in values and locale is not None and locale not in ("zh", "en"):
            problems.append(Problem("locale", "must be zh or en"))
        if problems:
            raise InvalidInput("the notification target is not valid", problems)
        if values:
            uow.conn.execute(update(t.notification_targets).where(t.notification_targets.c.id == target_id)
                             .values(**values))
            audit(uow, now=now, actor=actor, entity_type="notification_target", entity_id=target_id,
                  action="changed", data={"owner_type": row["owner_type"], "owner": row["owner"],
                                          "fields": sorted(values), "kind": merged["kind"]})
            uow.commit()
    return _view(merged)


TEST_TEXTS = {
    "zh": ("channelops 测试消息", "这是通知目标 #{id}（{kind}）的测试消息，由 {login} 发送。收到即表示该目标可用。"),
    "en": ("channelops test message", "This is a test of notification target #{id} ({kind}), sent by {login}. "
                                      "If you can read it, the target works."),
}


TEST_TIMEOUT = 10.0  # seconds a test message may take before it counts as failed (a dead host)


def send_test(svc: Services, *, actor: Actor, target_id: int, notifier: Notifier | None = None) -> SendTestResult:
    """Send a test message to one target now (not through the outbox) and report the provider's answer.

    The notifier's own timeout bounds the wait (default: apprise with `TEST_TIMEOUT`). Audited, with
    the outcome. Preferences do not apply: a muted user can still test their targets.
    """
    notifier = notifier or AppriseNotifier(timeout=TEST_TIMEOUT)
    with svc.uow(write=False) as uow:
        row = _active(uow, target_id)
        owner_locale = None
        if row["owner_type"] == "user" and (user_id := _user_id(row["owner"])) is not None:
            owner_locale = uow.conn.execute(select(t.users.c.locale).where(t.users.c.id == user_id)).scalar()
    require(actor, Action.MANAGE_TARGETS, _owner(owner_type=row["owner_type"], owner=row["owner"]))
    locale = row["locale"] or owner_locale or "zh"
    title, body = TEST_TEXTS[locale if locale in TEST_TEXTS else "zh"]
    body = body.format(id=target_id, kind=row["kind"], login=actor.login)
    started = time.perf_counter()
    error: str | None = None
    try:
        notifier.send(url=row["url"], title=title, body=body)
    except DeliveryError as exc:
        error = str(exc) or "delivery failed"
    except Exception as exc:  # a broken notifier is a failed test, not a 500
        error = f"{type(exc).__name__}: {exc}"
    if error is not None:  # never echo the URL's secrets back
        error = error.replace(row["url"], masked(row["url"]))[:2000]
    result = SendTestResult(target_id=target_id, ok=error is None, error=error,
                        duration_ms=int((time.perf_counter() - started) * 1000))
    now = svc.clock.now()
    with svc.uow() as uow:
        audit(uow, now=now, actor=actor, entity_type="notification_target", entity_id=target_id, action="tested",
              comment=error, data={"owner_type": row["owner_type"], "owner": row["owner"], "ok": result.ok})
        uow.commit()
    return result


def list_targets(svc: Services, *, actor: Actor, owner_type: str | None = None,
                 owner: str | None = None, kind: str | None = None) -> list[TargetView]:
    """Active targets (of one owner, or kind, if given); a non-admin sees only their own."""
    query = select(t.notification_targets).where(t.notification_targets.c.active.is_(True))
    if not allows(actor, Action.MANAGE_TARGETS):  # no owner given: may they see everyone's?
        owner_type, owner = "user", str(actor.id)
    if owner_type is not None:
        query = query.where(t.notification_targets.c.owner_type == owner_type)
    if owner is not None:
        query = query.where(t.notification_targets.c.owner == owner)
    if kind is not None:
        query = query.where(t.notification_targets.c.kind == kind)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(query.order_by(t.notification_targets.c.id)).mappings().all()
    return [_view(row) for row in rows]


def remove_target(svc: Services, *, actor: Actor, target_id: int) -> None:
    """Deactivate a target (kept, because delivery attempts refer to it)."""
    now = svc.clock.now()
    with svc.uow() as uow:
        row = uow.conn.execute(select(t.notification_targets).where(
            t.notification_targets.c.id == target_id, t.notification_targets.c.active.is_(True))).mappings().first()
        if row is None:
            raise NotFound(f"notification target {target_id} not found")
        require(actor, Action.MANAGE_TARGETS, _owner(owner_type=row["owner_type"], owner=row["owner"]))
        uow.conn.execute(update(t.notification_targets).where(t.notification_targets.c.id == target_id)
                         .values(active=False))
        audit(uow, now=now, actor=actor, entity_type="notification_target", entity_id=target_id,
              action="removed", data={"owner_type": row["owner_type"], "owner": row["owner"]})
        uow.commit()


_USERS = select(t.users.c.id, t.users.c.login, t.users.c.locale, t.users.c.groups, t.users.c.roles,
                t.users.c.is_admin).where(t.users.c.active.is_(True))


def targets_for(uow: UnitOfWork, recipient: str, template: str | None = None) -> list[Target] | None:
    """The active targets of an outbox recipient, one per URL (the first wins), in a stable order:
    a group's own targets first, then its members' by user id and target id. `robot:G` is the
    group's own targets alone (its chat robot or mailbox), without its members'.

    A user's own targets are left out as their preferences say for `template`'s kind of message
    (muted, or not that target kind); a group's targets are nobody's and always receive.
    Returns None when the recipient is not of a known kind. An inactive or missing user has no targets.
    """
    from workflows.services.preferences import preferences_of, receives

    kind, _, name = recipient.partition(":")
    if kind == "robot":
        return [Target(id=row["id"], url=row["url"], locale=row["locale"] or "zh")
                for row in _unique(_owned(uow, "group", [name]))]
    if kind == "user":
        user_id = _user_id(name)
        users = [] if user_id is None else uow.conn.execute(_USERS.where(t.users.c.id == user_id)).mappings().all()
    elif kind == "login":
        users = uow.conn.execute(_USERS.where(t.users.c.login == name)).mappings().all()
    elif kind == "group":
        users = [u for u in uow.conn.execute(_USERS).mappings() if name in (u["groups"] or [])]
    elif kind == "role":
        users = [u for u in uow.conn.execute(_USERS).mappings()
                 if name in (u["roles"] or []) or (name == "admin" and u["is_admin"])]
    else:
        return None
    locales = {str(u["id"]): u["locale"] for u in users}
    found = _owned(uow, "group", [name]) if kind == "group" else []
    owners = sorted(locales, key=int)
    prefs = preferences_of(uow, [int(owner) for owner in owners])
    found += [row for row in _owned(uow, "user", owners)
              if receives(prefs.get(int(row["owner"])), template=template, kind=row["kind"])]
    unique: dict[str, Target] = {}
    for row in found:
        owner_locale = locales.get(row["owner"]) if row["owner_type"] == "user" else None
        locale = row["locale"] or owner_locale or "zh"
        owner_id = _user_id(row["owner"]) if row["owner_type"] == "user" else None
        unique.setdefault(row["url"], Target(id=row["id"], url=row["url"], locale=locale, user_id=owner_id))
    return list(unique.values())


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(row["url"], row)
    return list(seen.values())


def _owned(uow: UnitOfWork, owner_type: str, owners: list[str]) -> list[dict[str, Any]]:
    if not owners:
        return []
    c = t.notification_targets.c
    rows = uow.conn.execute(select(t.notification_targets).where(
        c.owner_type == owner_type, c.owner.in_(owners), c.active.is_(True))).mappings().all()
    order = {owner: index for index, owner in enumerate(owners)}
    return sorted((dict(r) for r in rows), key=lambda r: (order[r["owner"]], r["id"]))
