"""What people call things: the titles of states, triggers, fields and their values, tasks, timers,
groups, regions, roles and history entries, in the page's language; never the machine name.

Workflow titles come from the definitions (`{zh, en}` texts, the latest version unless a page
passes its own), everything else from the catalogs. Templates reach it as `names`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from channels.kpi_files import TITLES as METRICS
from channels.task_subjects import TYPE_TITLES as CHANNEL_TYPES
from workflows.domain.definition import Localized, WorkflowDefinition
from workflows.domain.errors import NotFound
from workflows.services import definitions
from workflows.services.context import Services
from workflows.services.groups import title_of
from workflows.services.users import display_name

# Regions of the channel registry (a code not listed here is the user's own and shown as typed).
ROLES: dict[str, tuple[str, str]] = {
    "channel_manager": ("渠道经理", "Channel manager"), "viewer": ("只读用户", "Viewer"),
    "lead": ("组长", "Group lead"),
    "admin": ("管理员", "Administrator"), "requester": ("发起人", "Requester"), "system": ("系统", "System"),
}
# History and audit entries (`history.action`, `audit.action`): what happened, in words.
ACTIONS: dict[str, tuple[str, str]] = {
    "started": ("已发起", "Started"), "transition": ("流转", "Moved"), "task_completed": ("任务已决定", "Task decided"),
    "task_claimed": ("任务已认领", "Task claimed"), "task_released": ("任务已释放", "Task released"),
    "task_escalated": ("任务已升级", "Task escalated"), "approval_requested": ("已申请审批", "Approval requested"),
    "sla_breached": ("SLA 超时", "SLA breached"),
    "breach_trigger_refused": ("超时触发被拒绝", "Breach trigger refused"),
    "activated": ("渠道已启用", "Channel activated"), "deactivated": ("渠道已停用", "Channel deactivated"),
    "alarm_raised": ("已触发报警", "Alarm raised"), "card_changed": ("红黄牌变更", "Card changed"),
    "stage_changed": ("阶段变更", "Stage changed"), "stars_changed": ("星级变更", "Stars changed"),
    "report_missing": ("报表缺失", "Report missing"), "kpi_replaced": ("KPI 已更正", "KPI replaced"),
    "imported": ("已导入", "Imported"), "created": ("已创建", "Created"), "updated": ("已更新", "Updated"),
    "changed": ("已修改", "Changed"), "removed": ("已删除", "Removed"), "published": ("已发布", "Published"),
    "agenda_prepared": ("议程已生成", "Agenda prepared"), "decision_recorded": ("已记录决议", "Decision recorded"),
    "attendance_recorded": ("已记录出席", "Attendance recorded"),
    "occurrence_cancelled": ("会议已取消", "Meeting cancelled"),
    "issue_yellow": ("发黄牌", "Yellow card issued"), "recover": ("恢复达标", "Recovered"),
    "calendar_entry_added": ("添加日历日", "Calendar day added"),
    "calendar_entry_removed": ("删除日历日", "Calendar day removed"),
    "api_token_issued": ("签发 API 令牌", "API token issued"),
    "api_token_revoked": ("吊销 API 令牌", "API token revoked"),
    "password_changed": ("修改密码", "Password changed"), "password_reset": ("密码已重置", "Password reset"),
    "sessions_ended": ("全部登出", "Logged out everywhere"),
    "locked_out": ("多次登录失败后锁定", "Locked out after failed logins"),
    "requeued": ("通知重新排队", "Notification requeued"), "tested": ("已发送测试消息", "Test message sent"),
    "follow_up_set": ("设置跟进日期", "Follow-up date set"),
    "follow_up_cleared": ("清除跟进日期", "Follow-up date cleared"),
    "delegation_created": ("已登记外出与代理人", "Absence recorded"),
    "delegation_ended": ("外出已结束", "Absence ended"),
    "task_routed": ("待办已转给代理人", "Task sent to the substitute"),
    "task_handed_over": ("待办已交给代理人", "Task handed over to the substitute"),
    "tasks_handed_over": ("待办已交给代理人", "Tasks handed over to the substitute"),
    "task_assigned": ("待办已指派", "Task assigned"),
    "migrated": ("已迁移", "Migrated"), "migration_started": ("已开始迁移", "Migration started"),
}
CARDS: dict[str, tuple[str, str]] = {"yellow": ("黄牌", "Yellow card"), "red": ("红牌", "Red card"),
                                     "none": ("无", "None"), "": ("无", "None")}
STAGES: dict[str, tuple[str, str]] = {
    "pending": ("待入驻", "Pending onboarding"), "introduction": ("导入期", "Introduction"),
    "growth": ("成长期", "Growth"),
    "maturity": ("成熟期", "Maturity"), "decline": ("衰退期", "Decline"), "exit": ("退出", "Exit"),
}


# What the engine and the channel rules write in the history as the system (stored in English).
SYSTEM_COMMENTS: list[tuple[re.Pattern[str], tuple[str, str]]] = [
    (re.compile(r"onboarding approved"), ("入驻审核通过", "onboarding approved")),
    (re.compile(r"onboarding (\d+)"), ("入驻申请 #{0}", "onboarding #{0}")),
    (re.compile(r"terminated"), ("已终止", "terminated")),
    (re.compile(r"terminated by card_escalation instance (\d+)"), ("由红黄牌流程 #{0} 终止",
                                                                  "terminated by card escalation #{0}")),
    (re.compile(r"missed quarters: (.*)"), ("季度未达标：{0}", "missed quarters: {0}")),
    (re.compile(r"back on target: (.*)"), ("恢复达标：{0}", "back on target: {0}")),
    (re.compile(r"suggested by the KPI rule: (.*)"), ("KPI 规则建议：{0}", "suggested by the KPI rule: {0}")),
    (re.compile(r"(.*) line (\d+)"), ("{0} 第 {1} 行", "{0} line {1}")),
]


QUOTED = re.compile(r"'[^']*'")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")


@dataclass
class Names:
    locale: str
    svc: Services
    gettext: Callable[..., str]
    _definitions: dict[str, WorkflowDefinition | None] = field(default_factory=dict)
    _all: list[str] = field(default_factory=list)  # every workflow's name, read once per page
    _people: dict[str, str] = field(default_factory=dict)  # login -> the name shown, read once per page

    def _pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.locale == "zh" else pair[1]

    def _title(self, text: Localized | None, fallback: str) -> str:
        return text.get(self.locale) if text else fallback

    def definition(self, workflow: str) -> WorkflowDefinition | None:
        """The latest published version of `workflow` (once per page)."""
        if workflow not in self._definitions:
            try:
                view = definitions.get_definition(self.svc, name=workflow)
                self._definitions[workflow] = definitions.published_definition(self.svc, view)
            except NotFound:  # an unknown workflow is shown by its name
                self._definitions[workflow] = None
        return self._definitions[workflow]

    def use(self, definition: WorkflowDefinition) -> None:
        """Read `definition`'s titles for its workflow (an instance's own version)."""
        self._definitions[definition.name] = definition

    def workflow(self, workflow: str) -> str:
        d = self.definition(workflow)
        return self._title(d.title, workflow) if d else workflow

    def state(self, workflow: str, name: str | None) -> str:
        if not name:
            return ""
        d = self.definition(workflow)
        found = next((s for s in d.states if s.name == name), None) if d else None
        return self._title(found.title if found else None, self._humane(name))

    def states(self, workflow: str) -> list[tuple[str, str]]:
        """(name, title) of every state of `workflow`, in the definition's order."""
        d = self.definition(workflow)
        return [(s.name, self._title(s.title, s.name)) for s in d.states] if d else []

    def any_trigger(self, name: str) -> str:
        """A trigger's title when only its name is known (an agenda item's choices)."""
        return self._in_any(lambda d: next((t.title for t in d.transitions if t.trigger == name and t.title), None),
                            name)

    def any_state(self, name: str) -> str:
        return self._in_any(lambda d: next((s.title for s in d.states if s.name == name and s.title), None), name)

    def _in_any(self, find: Callable[[WorkflowDefinition], Localized | None], name: str) -> str:
        if not self._all:
            self._all.extend(view.name for view in definitions.list_definitions(self.svc))
        for workflow in self._all:
            d = self.definition(workflow)
            found = find(d) if d else None
            if found:
                return found.get(self.locale)
        return self._humane(name)

    def trigger(self, workflow: str, name: str | None) -> str:
        if not name:
            return ""
        d = self.definition(workflow)
        found = next((t for t in d.transitions if t.trigger == name and t.title), None) if d else None
        return self._title(found.title if found else None, self._humane(name))

    def field(self, workflow: str, name: str) -> str:
        d = self.definition(workflow)
        spec = d.fields.get(name) if d else None
        if spec and spec.title:
            return self._title(spec.title, name)
        # data a workflow carries without declaring it (e.g. a channel's manager): another's title
        return self._in_any(lambda other: other.fields[name].title if name in other.fields else None, name)

    def value(self, workflow: str, name: str, value: Any) -> str:
        """A field's value: the title of an enumerated value, a region or a channel type in words."""
        d = self.definition(workflow)
        spec = d.fields.get(name) if d else None
        if spec and isinstance(value, str) and value in spec.options:
            return spec.options[value].get(self.locale)
        if name == "region" and isinstance(value, str):
            return self.region(value)
        if isinstance(value, bool):
            return self.gettext("yes") if value else self.gettext("no")
        if value is None:
            return "—"
        return str(value)

    def task(self, workflow: str, name: str) -> str:
        d = self.definition(workflow)
        for state in d.states if d else []:
            for task in state.tasks:
                if task.name == name:
                    return self._title(task.title, self._humane(name))
        return self._humane(name)

    def timer(self, workflow: str, name: str) -> str:
        """A state timer's, a task's or an SLA goal's title (timers are named after what they time)."""
        d = self.definition(workflow)
        for state in d.states if d else []:
            for timer in state.timers:
                if timer.name == name:
                    return self._title(timer.title, self._humane(name))
        for goal in d.sla if d else []:
            if goal.name == name:
                return self._title(goal.title, self._humane(name))
        return self.task(workflow, name)

    def group(self, name: str | None) -> str:
        """A group's title, from the admins' groups (a region group is its region's title)."""
        return title_of(self.svc, name, locale=self.locale) if name else ""

    def principal(self, text: str) -> str:
        """`group:finance` → 财务部, `role:channel_manager` → 渠道经理, `requester` → 发起人."""
        kind, _, name = text.partition(":")
        if kind == "group" and name:
            return self.group(name)
        if kind == "role" and name:
            return self.role(name)
        return self.role(text)

    def region(self, code: str | None) -> str:
        if not code:
            return ""
        return title_of(self.svc, f"region:{code}", locale=self.locale)

    def role(self, name: str) -> str:
        return self._pick(ROLES[name]) if name in ROLES else name

    def action(self, name: str) -> str:
        return self._pick(ACTIONS[name]) if name in ACTIONS else self._humane(name)

    def card(self, value: str | None) -> str:
        return self._pick(CARDS.get(value or "", CARDS[""]))

    def stage(self, value: str | None) -> str:
        return self._pick(STAGES[value]) if value in STAGES else (value or "")

    def metric(self, value: str) -> str:
        return self._pick(METRICS[value]) if value in METRICS else self._humane(value)

    def channel_type(self, value: str) -> str:
        return self._pick(CHANNEL_TYPES[value]) if value in CHANNEL_TYPES else value

    def actor(self, login: str | None) -> str:
        """A person by the name they go by (张三), their login if they have none or are no user; the
        engine itself is 系统 / System."""
        if not login or login == "system":
            return self.role("system")
        if login not in self._people:
            self._people[login] = display_name(self.svc, login) or login
        return self._people[login]

    def comment(self, login: str | None, text: str | None) -> str:
        """A history comment: a person's as written; the system's in the page's language."""
        if not text:
            return ""
        if login not in (None, "system"):
            return text
        for pattern, pair in SYSTEM_COMMENTS:
            found = pattern.fullmatch(text)
            if found:
                return self._pick(pair).format(*found.groups())
        return text

    def message(self, text: str | None) -> str:
        """A service's message (an error, a validation or import problem) in the page's language:
        the catalogs hold them with their quoted names as %(a)s, %(b)s and numbers as %(n)s, %(m)s,
        %(o)s ("unknown state %(a)s"); a message not in the catalogs is shown as written."""
        if not text:
            return ""
        values: dict[str, str] = {}
        quoted = iter("abc")
        numbered = iter("nmo")

        def name(found: re.Match[str]) -> str:
            key = next(quoted, None)
            if key is None:
                return found.group(0)
            values[key] = found.group(0)
            return f"%({key})s"

        def number(found: re.Match[str]) -> str:
            key = next(numbered, None)
            if key is None:
                return found.group(0)
            values[key] = found.group(0)
            return f"%({key})s"

        key = NUMBER.sub(number, QUOTED.sub(name, text.replace("%", "%%")))
        translated = self.gettext(key)
        if translated == key and self.locale != "en":
            return text
        try:
            return translated % values
        except (KeyError, ValueError, TypeError):
            return text

    def _humane(self, name: str) -> str:
        """A name with no title: `waiting_customer` reads as "waiting customer" (never the identifier)."""
        return name.replace("_", " ").replace(":", " ")
