"""Deliver one message to one apprise URL. apprise is imported here and nowhere else.

`Notifier` is the port the outbox dispatcher talks to; `AppriseNotifier` is the real one and
`RecordingNotifier` the fake for tests. A notifier never retries: retries, backoff and dead
letters belong to the outbox (`workflows.services.outbox`), which records every try.
"""

from __future__ import annotations

import html
import threading
import warnings
from dataclasses import dataclass, field
from typing import Protocol

import apprise


class DeliveryError(Exception):
    """One message could not be delivered to one URL; the text says why (never the URL's secrets)."""


@dataclass(frozen=True)
class Attachment:
    """A file sent along with a message (e.g. a meeting's .ics invitation), kept in memory."""

    filename: str
    content_type: str
    content: str


@dataclass(frozen=True)
class ActionLink:
    """A link a message offers as a button: approve, reject, ... or open (`label` in the target's language)."""

    label: str
    url: str
    action: str = ""


MARKDOWN_SCHEMES = frozenset({"dingtalk"})  # apprise sends markdown to these; Feishu and WeCom robots get text


def with_actions(scheme: str, body: str, actions: tuple[ActionLink, ...]) -> tuple[str, apprise.NotifyFormat]:
    """The body and its format for a target of `scheme`: an e-mail gets HTML with buttons (and the
    addresses in words, for the plain-text part apprise derives from it), DingTalk markdown links,
    any other target one `label: url` line per link."""
    if not actions:
        return body, apprise.NotifyFormat.TEXT
    if scheme in ("mailto", "mailtos"):
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body.split("\n") if line.strip())
        buttons = "".join(
            f'<p><a href="{html.escape(a.url, quote=True)}" style="display:inline-block;padding:10px 18px;'
            f'margin:4px 0;border-radius:6px;background:{_COLOURS.get(a.action, "#1f5fbf")};color:#fff;'
            f'text-decoration:none;font-weight:600">{html.escape(a.label)}</a><br>'
            f'<span style="font-size:12px;color:#5b6573">{html.escape(a.label)}: {html.escape(a.url)}</span></p>'
            for a in actions)
        return f"<html><body>{paragraphs}{buttons}</body></html>", apprise.NotifyFormat.HTML
    if scheme in MARKDOWN_SCHEMES:
        lines = "\n".join(f"- [{_md(a.label)}]({a.url})" for a in actions)
        return f"{body}\n\n{lines}", apprise.NotifyFormat.MARKDOWN
    return body + "\n" + "\n".join(f"{a.label}: {a.url}" for a in actions), apprise.NotifyFormat.TEXT


_COLOURS = {"approve": "#1c7c3c", "reject": "#b3261e", "request_changes": "#9a6200"}


def _md(text: str) -> str:
    return "".join(f"\\{c}" if c in "[]()*_`#" else c for c in text)


class Notifier(Protocol):
    """Delivers one message. A notifier that can attach files and offer links also has
    ``send_with(*, url, title, body, attachments, actions=())``; the outbox uses it for e-mail
    attachments and for the decision links of task notifications (`with_actions` shapes them)."""

    def send(self, *, url: str, title: str, body: str) -> None:
        """Deliver `title` and `body` to `url`, or raise `DeliveryError`."""
        ...


_plugins_lock = threading.Lock()
_plugins_loaded = False


def _load_plugins() -> None:
    """Let apprise discover its plugins once, without the DeprecationWarning that its e-mail plugin's
    `import imghdr` raises on Python 3.11/3.12 (the test suite turns warnings into errors)."""
    global _plugins_loaded
    with _plugins_lock:
        if not _plugins_loaded:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*imghdr.*", category=DeprecationWarning)
                apprise.Apprise.instantiate("json://localhost")
            _plugins_loaded = True


def _plugin(url: str, asset: apprise.AppriseAsset | None = None) -> apprise.NotifyBase | None:
    # instantiate() reads exactly one URL; Apprise.add() would split a string on commas and spaces
    _load_plugins()
    return apprise.Apprise.instantiate(url, asset=asset) if url.strip() else None


def scheme_of(url: str) -> str | None:
    """apprise's own scheme for `url` (`mailto`, `dingtalk`, `wecombot` for a WeCom https URL...),
    or None when apprise cannot use it."""
    plugin = _plugin(url)
    return None if plugin is None else _private(plugin).partition("://")[0].lower()


def redacted(url: str) -> str:
    """`url` with its passwords and tokens masked, as apprise prints it in privacy mode."""
    plugin = _plugin(url)
    return "(unusable URL)" if plugin is None else _private(plugin)


def _private(plugin: apprise.NotifyBase) -> str:
    text: str = plugin.url(privacy=True)  # type: ignore[no-untyped-call]
    return text


class AppriseNotifier:
    """Sends through apprise: one `Apprise` object per message, so nothing is shared between threads.

    Args:
        app_id: the sender name apprise shows (the e-mail `From` name, `X-Application` header).
        timeout: seconds apprise may spend on one message before it counts as failed.
    """

    def __init__(self, *, app_id: str = "channelops", timeout: float = 30.0) -> None:
        self.app_id = app_id
        self.timeout = timeout

    def send(self, *, url: str, title: str, body: str) -> None:
        self.send_with(url=url, title=title, body=body, attachments=())

    def send_with(self, *, url: str, title: str, body: str, attachments: tuple[Attachment, ...],
                  actions: tuple[ActionLink, ...] = ()) -> None:
        asset = apprise.AppriseAsset(app_id=self.app_id, app_desc=self.app_id)
        plugin = _plugin(url, asset)
        if plugin is None:
            raise DeliveryError("apprise cannot use this URL")
        body, body_format = with_actions(_private(plugin).partition("://")[0].lower(), body, actions)
        sender = apprise.Apprise(asset=asset)
        sender.add(plugin)
        # apprise 2.x returns an AppriseResult: bool(result) is the old True/False, and its logs
        # are this call's own (WARNING and up, which carry the reason but not the URL's secrets)
        attach = None
        if attachments:
            from apprise.attachment.memory import AttachMemory

            attach = apprise.AppriseAttachment([
                # apprise takes a bare MIME type: "text/calendar", not "text/calendar; method=REQUEST"
                AttachMemory(content=a.content, name=a.filename,  # type: ignore[no-untyped-call]
                             mimetype=a.content_type.partition(";")[0].strip() or "application/octet-stream")
                for a in attachments])
        # the texts are plain: apprise escapes them for targets that take HTML (an e-mail's HTML part)
        # instead of passing a comment's markup through as HTML; with decision links, `with_actions`
        # escapes them itself
        with sender.notify(body=body, title=title, body_format=body_format, timeout=self.timeout,
                           attach=attach) as result:
            if not result:
                reasons = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR")]
                raise DeliveryError("; ".join(dict.fromkeys(reasons)) or f"apprise reported {result.status.name}")


@dataclass(frozen=True)
class Sent:
    url: str
    title: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    actions: tuple[ActionLink, ...] = ()


@dataclass
class RecordingNotifier:
    """A fake that keeps what it was asked to send; URLs in `failing` raise `DeliveryError`."""

    sent: list[Sent] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    tries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, *, url: str, title: str, body: str) -> None:
        self.send_with(url=url, title=title, body=body, attachments=())

    def send_with(self, *, url: str, title: str, body: str, attachments: tuple[Attachment, ...],
                  actions: tuple[ActionLink, ...] = ()) -> None:
        with self._lock:
            self.tries += 1
            if url in self.failing:
                raise DeliveryError(f"{url} is down")
            self.sent.append(Sent(url=url, title=title, body=body, attachments=attachments, actions=actions))

    def urls(self) -> list[str]:
        return [message.url for message in self.sent]
