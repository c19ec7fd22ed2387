"""What a person reads on a page: the visible text of an HTML document, and the identifiers of the
shipped workflow definitions that must never appear in it (the machine-names test)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

from channelops.bootstrap import build_registry
from workflows.domain.definition import WorkflowDefinition
from workflows.domain.validation import validate_source

# Elements whose text is not read as prose: scripts, styles, code views (YAML source, Mermaid source,
# the editor's text area) and anything marked with the `code` class.
HIDDEN = {"script", "style", "pre", "textarea", "template", "noscript"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


class _Text(HTMLParser):
    def __init__(self, skip_lang: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_lang = skip_lang
        self.stack: list[bool] = []  # per open element: whether its text is hidden
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        in_other_language = bool(self.skip_lang) and (found.get("lang") or "").startswith(self.skip_lang or "-")
        hidden = (bool(self.stack) and self.stack[-1]) or tag in HIDDEN or "code" in classes \
            or "hidden" in found or in_other_language
        self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str, *, skip_lang: str | None = None) -> str:
    """The page's text a reader sees (attribute values and code views left out), one line per run;
    with `skip_lang`, without elements in that language (the 中文 button of the English page)."""
    parser = _Text(skip_lang)
    parser.feed(html)
    parser.close()
    return "\n".join(" ".join(part.split()) for part in parser.parts if part.strip())


def shipped_definitions() -> list[WorkflowDefinition]:
    """Every definition under `workflows/definitions/`, compiled."""
    found = []
    vocabulary = build_registry().vocabulary()
    for entry in sorted(resources.files("workflows.definitions").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            result = validate_source(entry.read_text(encoding="utf-8"), vocabulary)
            assert result.definition is not None, (entry.name, result.problems)
            found.append(result.definition)
    return found


def _principal(text: str) -> list[str]:
    """`group:finance` → finance, `role:channel_manager` → channel_manager, `requester` → requester."""
    name = text.partition(":")[2]
    return [text, name] if name else [text]


def identifiers(definitions: list[WorkflowDefinition]) -> set[str]:
    """States, triggers, fields and their enumerated values, tasks, timers, SLA goals, groups and roles."""
    names: set[str] = set()
    for d in definitions:
        names.add(d.name)
        for rule in d.start:
            names.update(_principal(rule))
        for field_name, spec in d.fields.items():
            names.add(field_name)
            names.update(str(v) for v in spec.enum or [] if isinstance(v, str))
        for state in d.states:
            names.add(state.name)
            names.update(timer.name for timer in state.timers)
            for task in state.tasks:
                names.add(task.name)
                names.update(task.groups)
                if task.escalate_to:
                    names.update(_principal(task.escalate_to))
        for transition in d.transitions:
            names.add(transition.trigger)
            for rule in transition.allowed:
                names.update(_principal(rule))
            if transition.approval:
                names.update(_principal(transition.approval.group))
        for sla in d.sla:
            names.add(sla.name)
    return {n for n in names if re.fullmatch(r"[A-Za-z][A-Za-z0-9_:.-]*", n)}


def pattern(words: set[str]) -> re.Pattern[str]:
    """Any of `words` standing alone (not part of a longer word, login or address)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w.:/@-])(?:{alternatives})(?![\w:/@-]|\.\w)")
