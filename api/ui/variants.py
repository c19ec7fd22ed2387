"""A definition's variants as pages show them: what selects each one and what it changes, in the
reader's language (titles, never identifiers), and the diagram notes that mark what a variant adds."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from workflows.domain.definition import VariantDef, WorkflowDefinition
from workflows.domain.durations import Duration, DurationError
from workflows.domain.group_titles import group_title

Gettext = Callable[..., str]
_ZH_UNITS = {"minutes": "分钟", "hours": "小时", "days": "天", "weeks": "周", "months": "个月"}
_ZH_WORKING = {"minutes": "个工作分钟", "hours": "个工作小时", "days": "个工作日"}


@dataclass(frozen=True)
class VariantRow:
    name: str
    title: str
    description: str
    when: list[tuple[str, list[str]]]  # (attribute title, value titles)
    changes: list[str]
    when_json: str  # {attribute: [values]} for the start form's script


def duration_text(text: str, locale: str) -> str:
    """`2 working hours` -> `2 个工作小时` in Chinese; as written in English."""
    if locale != "zh":
        return text
    try:
        found = Duration.parse(text)
    except DurationError:
        return text
    unit = _ZH_WORKING[found.unit] if found.working else _ZH_UNITS[found.unit]
    return f"{found.amount} {unit}"


def _attribute(name: str, gettext: Gettext) -> str:
    return gettext("Channel type") if name == "channel_type" else name


def _value(name: str, value: str, gettext: Gettext) -> str:
    if name != "channel_type":
        return value
    known = {"direct_store": "Direct store", "agent": "Agent / distributor", "ecommerce": "E-commerce",
             "social": "Social commerce"}
    return gettext(known[value]) if value in known else value


def _group(name: str, locale: str) -> str:
    zh, en = group_title(name)
    return zh if locale == "zh" else en


def _changes(definition: WorkflowDefinition, variant: VariantDef, locale: str, gettext: Gettext) -> list[str]:
    tasks = {task.name: task for state in definition.states for task in state.tasks}
    goals = {goal.name: goal for goal in definition.sla}
    found: list[str] = []
    for name, override in variant.tasks.items():
        task = tasks.get(name)
        title = task.title.get(locale) if task and task.title else name
        if override.add_groups:
            groups = "、".join(_group(g, locale) for g in override.add_groups) if locale == "zh" else \
                ", ".join(_group(g, locale) for g in override.add_groups)
            found.append(gettext("%(task)s: also %(groups)s", task=title, groups=groups))
        if override.due:
            found.append(gettext("%(task)s: due in %(duration)s", task=title,
                                 duration=duration_text(override.due, locale)))
    for state_name, timers in variant.timers.items():
        state = next((s for s in definition.states if s.name == state_name), None)
        title = state.title.get(locale) if state and state.title else state_name
        for after in timers.values():
            found.append(gettext("Timer in %(state)s: after %(duration)s", state=title,
                                 duration=duration_text(after, locale)))
    for name, sla in variant.sla.items():
        goal = goals.get(name)
        title = goal.title.get(locale) if goal and goal.title else name
        budgets = [duration_text(sla.goal, locale)] if sla.goal else []
        by = definition.fields.get(goal.goal_by or "") if goal else None
        options = by.options if by is not None else {}
        budgets += [f"{options[key].get(locale) if key in options else key} {duration_text(text, locale)}"
                    for key, text in sla.goals.items()]
        if budgets:
            found.append(gettext("%(goal)s goal: %(budgets)s", goal=title, budgets=", ".join(budgets)))
    for name, field in variant.fields.items():
        spec = definition.fields.get(name)
        title = spec.title.get(locale) if spec and spec.title else name
        found.append(gettext("%(field)s: required", field=title) if field.required else
                     gettext("%(field)s: optional", field=title))
    return found


def variant_rows(definition: WorkflowDefinition, *, locale: str, gettext: Gettext) -> list[VariantRow]:
    """Every variant of `definition`, ready to list."""
    return [VariantRow(
        name=v.name, title=v.title.get(locale), description=v.description.get(locale) if v.description else "",
        when=[(_attribute(key, gettext), [_value(key, value, gettext) for value in values])
              for key, values in v.when.items()],
        changes=_changes(definition, v, locale, gettext),
        when_json=json.dumps(v.when, ensure_ascii=False, sort_keys=True),
    ) for v in definition.variants]
