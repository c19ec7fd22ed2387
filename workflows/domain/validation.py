"""Check a workflow definition and report every problem with its place in the file."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import yaml
from pydantic import ValidationError

from workflows.domain.definition import VariantDef, WorkflowDefinition
from workflows.domain.durations import Duration, DurationError
from workflows.domain.errors import Problem
from workflows.domain.principals import is_known_group, principal_problem
from workflows.domain.yamlmap import Path, YamlRefused, line_of, load_with_lines, path_text

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
MAX_CARD_FIELDS = 6


@dataclass(frozen=True)
class Vocabulary:
    """What names a definition may use: registered guards and effects, groups, and the attributes
    (with their values) of each subject type that variants may select on.

    `groups`: the groups that exist (the services pass the database's); None: checked without a
    database (the shipped groups and any `region:<code>`, as `channelops workflow validate` does).
    `any_group`: group names are not checked at all (a published version compiled again: its
    groups were checked when it was published).
    """

    guards: frozenset[str] = frozenset()
    effects: frozenset[str] = frozenset()
    groups: frozenset[str] | None = None
    any_group: bool = False
    subjects: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def knows_group(self, name: str) -> bool:
        if self.any_group:
            return True
        return is_known_group(name) if self.groups is None else name in self.groups


@dataclass
class ValidationResult:
    definition: WorkflowDefinition | None
    problems: list[Problem] = field(default_factory=list)
    checksum: str = ""
    name: str | None = None  # the `name:` of the text if it could be read, even when it is not valid
    refused: bool = False  # the text was not even read: too large, or built to explode (aliases, nesting)

    @property
    def valid(self) -> bool:
        return self.definition is not None and not self.problems


def validate_source(text: str, vocabulary: Vocabulary) -> ValidationResult:
    """Parse and check YAML text; never raises for bad input."""
    checksum = hashlib.sha256(text.encode()).hexdigest()
    try:
        raw, lines = load_with_lines(text)
    except YamlRefused as exc:
        return ValidationResult(None, [Problem("(document)", f"not accepted: {exc.problem}", exc.line)], checksum,
                                refused=True)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return ValidationResult(None, [Problem("(document)", f"not valid YAML: {reason}", line)], checksum)
    if not isinstance(raw, dict):
        return ValidationResult(None, [Problem("(document)", "expected a mapping at the top", 1)], checksum)
    name = raw.get("name") if isinstance(raw.get("name"), str) else None
    try:
        definition = WorkflowDefinition.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path: Path = tuple(p for p in error["loc"] if isinstance(p, str | int))
            problems.append(Problem(path_text(path), error["msg"], line_of(lines, path)))
        return ValidationResult(None, problems, checksum, name)
    checker = _Checker(definition, vocabulary, lines)
    checker.run()
    return ValidationResult(definition, checker.problems, checksum, definition.name)


class _Checker:
    def __init__(self, d: WorkflowDefinition, vocabulary: Vocabulary, lines: dict[Path, int]) -> None:
        self.d = d
        self.vocabulary = vocabulary
        self.lines = lines
        self.problems: list[Problem] = []
        self.states = {s.name for s in d.states}
        self.triggers = {t.trigger for t in d.transitions}

    def report(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path_text(path), message, line_of(self.lines, path)))

    def run(self) -> None:
        self._names()
        self._states()
        self._transitions()
        self._tasks_and_timers()
        self._sla()
        self._principals(("start",), self.d.start)
        self._reachability()
        self._variants()
        self._card_fields()

    def _name(self, path: Path, name: str) -> None:
        if not name or not set(name) <= NAME_CHARS or not name[0].isalpha():
            self.report(path, f"bad name {name!r}: use lower-case letters, digits and _")

    def _duplicates(self, path: Path, names: Iterable[str], what: str) -> None:
        seen: set[str] = set()
        for index, name in enumerate(names):
            if name in seen:
                self.report((*path, index, "name"), f"duplicate {what} name {name!r}")
            seen.add(name)

    def _duration(self, path: Path, text: str | None) -> None:
        if text is None:
            return
        try:
            Duration.parse(text)
        except DurationError as exc:
            self.report(path, str(exc))

    def _state_ref(self, path: Path, name: str) -> None:
        if name not in self.states:
            self.report(path, f"unknown state {name!r}")

    def _principals(self, path: Path, principals: Iterable[str]) -> None:
        for index, principal in enumerate(principals):
            problem = principal_problem(principal, known_group=self.vocabulary.knows_group)
            if problem:
                self.report((*path, index), problem)

    def _group(self, path: Path, name: str) -> None:
        if not self.vocabulary.knows_group(name):
            self.report(path, f"unknown group {name!r}")

    def _effects(self, path: Path, names: Iterable[str]) -> None:
        for index, name in enumerate(names):
            if name not in self.vocabulary.effects:
                self.report((*path, index), f"unknown effect {name!r}")

    def _names(self) -> None:
        self._name(("name",), self.d.name)
        self._duplicates(("states",), [s.name for s in self.d.states], "state")
        for i, state in enumerate(self.d.states):
            self._name(("states", i, "name"), state.name)
        for i, transition in enumerate(self.d.transitions):
            self._name(("transitions", i, "trigger"), transition.trigger)
        tasks = [t.name for s in self.d.states for t in s.tasks]
        if len(tasks) != len(set(tasks)):
            self.report(("states",), "task names must be unique across the definition")
        self._duplicates(("sla",), [g.name for g in self.d.sla], "SLA goal")

    def _states(self) -> None:
        initial = [s.name for s in self.d.states if s.initial]
        if len(initial) != 1:
            self.report(("states",), f"exactly one state must be initial, found {len(initial)}")
        if not any(s.final for s in self.d.states):
            self.report(("states",), "at least one state must be final")
        outgoing = {src for t in self.d.transitions for src in t.source}
        for i, state in enumerate(self.d.states):
            if state.initial and state.final:
                self.report(("states", i), "a state cannot be both initial and final")
            if not state.final and state.name not in outgoing and "*" not in outgoing:
                self.report(("states", i, "name"), f"state {state.name!r} has no way out and is not final")
            for j, n in enumerate(state.notify):
                self._principals(("states", i, "notify", j, "to"), n.to)
            self._effects(("states", i, "effects"), state.effects)

    def _transitions(self) -> None:
        seen: set[tuple[str, str]] = set()
        for i, t in enumerate(self.d.transitions):
            path: Path = ("transitions", i)
            if not t.source:
                self.report((*path, "source"), "needs at least one source state")
            for j, src in enumerate(t.source):
                if src != "*":
                    self._state_ref((*path, "source", j), src)
                    if src in self.states and self.d.state(src).final:
                        self.report((*path, "source", j), f"state {src!r} is final: nothing leaves it")
                for state in expand_sources(self.d, [src]):
                    if (t.trigger, state) in seen:
                        self.report((*path, "source", j),
                                    f"trigger {t.trigger!r} from {state!r} is defined twice")
                    seen.add((t.trigger, state))
            self._state_ref((*path, "dest"), t.dest)
            self._principals((*path, "allowed"), t.allowed)
            for j, guard in enumerate(t.guards):
                if guard.name not in self.vocabulary.guards:
                    self.report((*path, "guards", j), f"unknown guard {guard.name!r}")
            if t.approval is not None:
                self._group((*path, "approval", "group"), t.approval.group)
                self._duration((*path, "approval", "due"), t.approval.due)
                for k, before in enumerate(t.approval.remind_before):
                    self._duration((*path, "approval", "remind_before", k), before)
                if t.approval.remind_before and not t.approval.due:
                    self.report((*path, "approval", "due"), "reminders need a due duration")
            for j, n in enumerate(t.notify):
                self._principals((*path, "notify", j, "to"), n.to)
            self._effects((*path, "effects"), t.effects)

    def _fires(self, path: Path, trigger: str, state: str | None) -> None:
        if trigger not in self.triggers:
            self.report(path, f"unknown trigger {trigger!r}")
            return
        if state is not None and not self._leaves(trigger, state):
            self.report(path, f"trigger {trigger!r} cannot be fired from state {state!r}")

    def _leaves(self, trigger: str, state: str) -> bool:
        return any(
            t.trigger == trigger and (state in t.source or "*" in t.source) for t in self.d.transitions
        )

    def _tasks_and_timers(self) -> None:
        for i, state in enumerate(self.d.states):
            for j, task in enumerate(state.tasks):
                path: Path = ("states", i, "tasks", j)
                self._name((*path, "name"), task.name)
                if not task.groups and not task.assignee:
                    self.report(path, "a task needs candidate groups or an assignee")
                for k, group in enumerate(task.groups):
                    self._group((*path, "groups", k), group)
                if task.assignee and task.assignee != "requester" and not task.assignee.startswith("data:"):
                    self.report((*path, "assignee"), "an assignee is `requester` or `data:<field>`")
                if task.escalate_to:
                    self._group((*path, "escalate_to"), task.escalate_to)
                self._duration((*path, "due"), task.due)
                for k, before in enumerate(task.remind_before):
                    self._duration((*path, "remind_before", k), before)
                if (task.remind_before or task.escalate_to) and not task.due:
                    self.report((*path, "due"), "reminders and escalation need a due duration")
                if isinstance(task.policy, int) and not 1 <= task.policy <= max(len(task.groups), 1):
                    self.report((*path, "policy"), "N-of-M needs 1 <= N <= number of groups")
                for decision, trigger in task.outcomes.items():
                    if decision not in task.decisions:
                        self.report((*path, "outcomes", decision), f"decision {decision!r} is not offered")
                    self._fires((*path, "outcomes", decision), trigger, state.name)
                for k, n in enumerate(task.notify):
                    self._principals((*path, "notify", k, "to"), n.to)
            self._duplicates(("states", i, "timers"), [t.name for t in state.timers], "timer")
            for j, timer in enumerate(state.timers):
                self._duration(("states", i, "timers", j, "after"), timer.after)
                self._fires(("states", i, "timers", j, "fire"), timer.fire, state.name)
                if timer.otherwise is not None:
                    self._fires(("states", i, "timers", j, "otherwise"), timer.otherwise, state.name)

    def _sla(self) -> None:
        for i, goal in enumerate(self.d.sla):
            path: Path = ("sla", i)
            for key in ("start", "stop", "pause"):
                for j, name in enumerate(getattr(goal, key)):
                    self._state_ref((*path, key, j), name)
            if not goal.stop:
                self.report((*path, "stop"), "an SLA goal needs at least one stop state")
            if goal.goal_by:
                if goal.goal_by not in self.d.fields:
                    self.report((*path, "goal_by"), f"unknown field {goal.goal_by!r}")
                if not goal.goals:
                    self.report((*path, "goals"), "goal_by needs goals per value")
                field_def = self.d.fields.get(goal.goal_by)
                if field_def and field_def.enum:
                    for value in field_def.enum:
                        if str(value) not in goal.goals:
                            self.report((*path, "goals"), f"no goal for {goal.goal_by}={value!r}")
            elif not goal.goal:
                self.report((*path, "goal"), "an SLA goal needs `goal` or `goal_by` with `goals`")
            self._duration((*path, "goal"), goal.goal)
            for key, text in goal.goals.items():
                self._duration((*path, "goals", key), text)
            if not 1 <= goal.warn_at <= 99:
                self.report((*path, "warn_at"), "warn_at is a percentage between 1 and 99")
            if goal.breach:
                self._fires((*path, "breach"), goal.breach, None)
            self._principals((*path, "warn_notify"), goal.warn_notify)
            self._principals((*path, "breach_notify"), goal.breach_notify)

    def _card_fields(self) -> None:
        """`card_fields` names declared fields, each once, at most `MAX_CARD_FIELDS` of them."""
        seen: set[str] = set()
        for i, name in enumerate(self.d.card_fields):
            if name not in self.d.fields:
                self.report(("card_fields", i), f"unknown field {name!r}: declare it under `fields`")
            elif name in seen:
                self.report(("card_fields", i), f"field {name!r} is named twice")
            seen.add(name)
        if len(self.d.card_fields) > MAX_CARD_FIELDS:
            self.report(("card_fields",), f"at most {MAX_CARD_FIELDS} fields fit on a card")

    def _reachability(self) -> None:
        initial = [s.name for s in self.d.states if s.initial]
        if len(initial) != 1:
            return
        edges: dict[str, set[str]] = {}
        for t in self.d.transitions:
            sources = self.states if "*" in t.source else set(t.source)
            for src in sources:
                edges.setdefault(src, set()).add(t.dest)
        seen = {initial[0]}
        queue = deque(initial)
        while queue:
            for nxt in edges.get(queue.popleft(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        for i, state in enumerate(self.d.states):
            if state.name not in seen:
                self.report(("states", i, "name"), f"state {state.name!r} cannot be reached from {initial[0]!r}")


    def _variants(self) -> None:
        if not self.d.variants:
            return
        attributes = self.vocabulary.subjects.get(self.d.subject or "")
        if attributes is None:
            known = ", ".join(sorted(self.vocabulary.subjects)) or "none"
            where: Path = ("subject",) if self.d.subject else ("variants",)
            self.report(where, f"variants select on the subject's attributes: `subject` must name a subject "
                               f"type with known attributes (known: {known})")
            attributes = {}
        self._duplicates(("variants",), [v.name for v in self.d.variants], "variant")
        for i, variant in enumerate(self.d.variants):
            path: Path = ("variants", i)
            self._name((*path, "name"), variant.name)
            self._when((*path, "when"), variant, attributes)
            self._task_overrides(path, variant)
            self._timer_overrides(path, variant)
            self._sla_overrides(path, variant)
            for name in variant.fields:
                if name not in self.d.fields:
                    self.report((*path, "fields", name), f"unknown field {name!r}")
        self._overlaps()

    def _when(self, path: Path, variant: VariantDef, attributes: Mapping[str, tuple[str, ...]]) -> None:
        if not variant.when:
            self.report(path, "a variant needs at least one attribute to select it, e.g. "
                              "{channel_type: [ecommerce]}")
        for key, values in variant.when.items():
            if key not in attributes:
                if attributes:
                    known = ", ".join(sorted(attributes))
                    self.report((*path, key), f"unknown attribute {key!r} of subject {self.d.subject!r} "
                                              f"(known: {known})")
                continue
            if not values:
                self.report((*path, key), "needs at least one value")
            for j, value in enumerate(values):
                if value not in attributes[key]:
                    self.report((*path, key, j), f"unknown {key} {value!r} (known: {', '.join(attributes[key])})")
            if len(set(values)) != len(values):
                self.report((*path, key), "a value is given twice")

    def _overlaps(self) -> None:
        variants = self.d.variants
        for j, later in enumerate(variants):
            for earlier in variants[:j]:
                shared = set(earlier.when) & set(later.when)
                common = {key: sorted(set(earlier.when[key]) & set(later.when[key]), key=later.when[key].index)
                          for key in shared}
                if not later.when or not earlier.when or any(not values for values in common.values()):
                    continue
                example = ", ".join(f"{key}={values[0]}" for key, values in sorted(common.items()))
                both = f"a subject with {example}" if example else "a subject with both attributes"
                self.report(("variants", j, "when"), f"overlaps variant {earlier.name!r}: {both} would match both")

    def _task_overrides(self, path: Path, variant: VariantDef) -> None:
        tasks = {task.name: task for state in self.d.states for task in state.tasks}
        for name, override in variant.tasks.items():
            where: Path = (*path, "tasks", name)
            task = tasks.get(name)
            if task is None:
                self.report(where, f"unknown task {name!r}")
                continue
            if override.add_groups and not task.groups:
                self.report((*where, "add_groups"), f"task {name!r} has an assignee, not candidate groups: "
                                                    "there is no review to add a group to")
            for k, group in enumerate(override.add_groups):
                self._group((*where, "add_groups", k), group)
                if group in task.groups or group in override.add_groups[:k]:
                    self.report((*where, "add_groups", k), f"group {group!r} is already a candidate of {name!r}")
            self._duration((*where, "due"), override.due)
            for k, before in enumerate(override.remind_before or []):
                self._duration((*where, "remind_before", k), before)
            if override.remind_before and not (override.due or task.due):
                self.report((*where, "remind_before"), "reminders need a due duration")

    def _timer_overrides(self, path: Path, variant: VariantDef) -> None:
        for state_name, timers in variant.timers.items():
            where: Path = (*path, "timers", state_name)
            if state_name not in self.states:
                self.report(where, f"unknown state {state_name!r}")
                continue
            known = {timer.name for timer in self.d.state(state_name).timers}
            for timer_name, after in timers.items():
                if timer_name not in known:
                    self.report((*where, timer_name), f"state {state_name!r} has no timer {timer_name!r}")
                self._duration((*where, timer_name), after)

    def _sla_overrides(self, path: Path, variant: VariantDef) -> None:
        goals = {goal.name: goal for goal in self.d.sla}
        for name, override in variant.sla.items():
            where: Path = (*path, "sla", name)
            goal = goals.get(name)
            if goal is None:
                self.report(where, f"unknown SLA goal {name!r}")
                continue
            if not (override.goal or override.goals or override.warn_at is not None):
                self.report(where, "change `goal`, `goals` or `warn_at`")
            if override.goal is not None and goal.goal_by:
                self.report((*where, "goal"), f"goal {name!r} has a budget per {goal.goal_by}: change `goals`")
            self._duration((*where, "goal"), override.goal)
            for key, text in override.goals.items():
                if not goal.goal_by:
                    self.report((*where, "goals"), f"goal {name!r} has one budget: change `goal`")
                    break
                if key not in goal.goals:
                    self.report((*where, "goals", key), f"goal {name!r} has no budget for "
                                                        f"{goal.goal_by}={key!r}")
                self._duration((*where, "goals", key), text)
            if override.warn_at is not None and not 1 <= override.warn_at <= 99:
                self.report((*where, "warn_at"), "warn_at is a percentage between 1 and 99")


def expand_sources(definition: WorkflowDefinition, sources: list[str]) -> list[str]:
    """`*` stands for every state that is not final."""
    if "*" in sources:
        return [s.name for s in definition.states if not s.final]
    return list(sources)
