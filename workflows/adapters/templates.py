"""Message texts, in zh and en, for every outbox template name the engine and definitions write.

The texts live in `messages/<locale>.txt` next to this module, one Jinja2 block per template name
(translators edit those files, not this code): the block's first line is the title, each further
line one line of the body, and the `footer` block's lines follow every body. A body line that names
a value the payload lacks is left out, so one text serves payloads with and without a comment, a
due time or a subject; a missing value in the title shows as a dash. The texts are plain text (chat,
webhooks, the text of an e-mail): nothing is HTML-escaped here; the notifier hands them to apprise
as text, which escapes them for targets that take HTML. `render` never raises: an unknown template
name gets the `generic` text, an unknown locale falls back to zh.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, Template, Undefined

LOCALES = ("zh", "en")
MESSAGES = Path(__file__).with_name("messages")
_OWN_LINK = frozenset({"meeting_agenda", "meeting_cancelled"})  # templates whose text places `link` itself
_SPECIAL = frozenset({"generic", "footer"})
_MISSING = "\x00"  # what a missing value renders as, before its line is dropped (values never hold it)
_NEWLINE = "\x01"  # a line break inside a value, kept out of the split into template lines

_SUBJECT_TYPES = {"zh": {"channel": "渠道"}, "en": {}}


class _Missing(Undefined):
    """A value the payload lacks: marks its line, which `render` then leaves out (or dashes, in a title)."""

    __slots__ = ()

    def __str__(self) -> str:
        return _MISSING


@cache
def _messages(lang: str) -> Template:
    env = Environment(loader=FileSystemLoader(MESSAGES), undefined=_Missing, autoescape=False,  # plain text
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template(f"{lang}.txt")


def message_names() -> dict[str, frozenset[str]]:
    """Every template name that has a text, with the locales that have it."""
    found: dict[str, set[str]] = {}
    for lang in LOCALES:
        for name in _messages(lang).blocks:
            if name not in _SPECIAL:
                found.setdefault(name, set()).add(lang)
    return {name: frozenset(langs) for name, langs in found.items()}


def render(template: str, payload: Mapping[str, Any], locale: str | None, *,
           zone: str = "Asia/Shanghai") -> tuple[str, str]:
    """The (title, body) of outbox `template` for `payload` in `locale` (zh or en; else zh).

    Times are shown in `zone`. Never raises for any payload, template name or locale.
    """
    lang = (locale or "zh").lower()[:2]
    lang = lang if lang in LOCALES else "zh"
    messages = _messages(lang)
    context = messages.new_context(_values(payload, lang, zone=zone, template=template))
    own = template if template in messages.blocks and template not in _SPECIAL else "generic"
    title, *lead = "".join(messages.blocks[own](context)).split("\n")
    footer = "".join(messages.blocks["footer"](context)).split("\n")
    lines = [line for line in (*lead, *footer) if line.strip() and _MISSING not in line]
    if not lines:
        lines = "".join(messages.blocks["generic"](context)).split("\n")[1:2]
    return _finished(title), _finished("\n".join(lines))


def _finished(text: str) -> str:
    return text.replace(_MISSING, "—").replace(_NEWLINE, "\n")


def _values(payload: Mapping[str, Any], lang: str, *, zone: str, template: str) -> dict[str, str]:
    found = {key: _text(value) for key, value in payload.items() if isinstance(key, str)}
    found = {key: value for key, value in found.items() if value}
    found["template"] = template
    found["workflow_title"] = (found.get(f"workflow_title_{lang}") or found.get("workflow_title_zh")
                               or found.get("workflow") or ("流程" if lang == "zh" else "workflow"))
    task = found.get(f"task_title_{lang}") or found.get("task")
    if task:
        found["task"] = task
    state = found.get(f"state_title_{lang}") or found.get("state")
    if state:
        found["state_title"] = state
    if "subject_id" in found:
        kind = found.get("subject_type", "")
        found["subject"] = f"{_SUBJECT_TYPES[lang].get(kind, kind)} {found['subject_id']}".strip()
    if found.get("actor") == "system":
        found["actor"] = "系统" if lang == "zh" else "system"
    if "due_at" in found:
        found["due_at"] = _when(found["due_at"], zone)
    if "link" in found and "instance_id" in found and template not in _OWN_LINK:
        found["instance_link"] = found["link"]
    found["ref"] = f"{found['workflow_title']} #{found.get('instance_id', _MISSING)}"
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace(_MISSING, "").replace(_NEWLINE, "").strip()[:2000].replace("\n", _NEWLINE)


def _when(value: str, zone: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return value
        return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"
    except (ValueError, KeyError):
        return value
