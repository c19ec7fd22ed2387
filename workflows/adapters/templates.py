"""Message texts, in zh and en, for every outbox template name the engine and definitions write.

A message is a title and a list of body lines (`string.Template` syntax). A body line that names
a value the payload lacks is left out, so one text serves payloads with and without a comment,
a due time or a subject. `render` never raises: an unknown template name gets a generic message,
an unknown locale falls back to zh.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from string import Template
from typing import Any
from zoneinfo import ZoneInfo

LOCALES = ("zh", "en")
_OWN_LINK = frozenset({"meeting_agenda", "meeting_cancelled"})  # templates whose text places `link` itself
Message = tuple[str, tuple[str, ...]]

_SUBJECT_TYPES = {"zh": {"channel": "渠道"}, "en": {}}
_FOOTER = {
    "zh": ("对象：${subject}", "当前状态：${state_title}", "操作人：${actor}", "意见：${comment}",
           "截止时间：${due_at}", "查看：${instance_link}"),
    "en": ("Subject: ${subject}", "State: ${state_title}", "By: ${actor}", "Comment: ${comment}",
           "Due: ${due_at}", "Open: ${instance_link}"),
}
_REF = "${workflow_title} #${instance_id}"


def _pair(zh_title: str, zh_lead: str, en_title: str, en_lead: str) -> dict[str, Message]:
    return {"zh": (zh_title, (zh_lead,)), "en": (en_title, (en_lead,))}


TEMPLATES: dict[str, dict[str, Message]] = {
    "task_opened": _pair(f"新待办：${{task}}（{_REF}）", f"{_REF} 有一项新的待办：${{task}}。",
                         f"New task: ${{task}} ({_REF})", f"A new task is waiting in {_REF}: ${{task}}."),
    "task_reminder": _pair(f"待办即将到期：${{task}}（{_REF}）", f"{_REF} 的待办 ${{task}} 即将到期，请尽快处理。",
                           f"Reminder: ${{task}} is due soon ({_REF})", f"The task ${{task}} in {_REF} is due soon."),
    "task_overdue": _pair(f"待办已逾期：${{task}}（{_REF}）", f"{_REF} 的待办 ${{task}} 已超过截止时间。",
                          f"Overdue: ${{task}} ({_REF})", f"The task ${{task}} in {_REF} is past its due time."),
    "task_escalated": _pair(f"待办已升级：${{task}}（{_REF}）",
                            f"{_REF} 的待办 ${{task}} 已逾期，现已升级给你所在的组处理。",
                            f"Escalated: ${{task}} ({_REF})",
                            f"The overdue task ${{task}} in {_REF} has been escalated to your group."),
    "approval_requested": _pair(f"待审批：${{trigger}}（{_REF}）",
                                f"{_REF} 请求执行“${{trigger}}”，需要你所在的组审批。",
                                f"Approval requested: ${{trigger}} ({_REF})",
                                f"{_REF} asks for approval of \u201c${{trigger}}\u201d by your group."),
    "approval_rejected": _pair(f"审批未通过：${{trigger}}（{_REF}）", f"你对 {_REF} 的“${{trigger}}”请求未获批准。",
                               f"Approval rejected: ${{trigger}} ({_REF})",
                               f"Your request to \u201c${{trigger}}\u201d {_REF} was not approved."),
    "sla_warning": _pair(f"时限预警（{_REF}）", f"{_REF} 的时限目标 ${{goal}} 即将到期。",
                         f"SLA warning ({_REF})", f"The goal ${{goal}} of {_REF} is about to be missed."),
    "sla_breached": _pair(f"已超时（{_REF}）", f"{_REF} 的时限目标 ${{goal}} 已超时。",
                          f"SLA breached ({_REF})", f"The goal ${{goal}} of {_REF} has been missed."),
    "changes_requested": _pair(f"需要修改（{_REF}）", f"你提交的 {_REF} 需要修改后重新提交。",
                               f"Changes requested ({_REF})", f"Your {_REF} needs changes before it is resubmitted."),
    "onboarding_approved": _pair(f"入驻申请已通过（{_REF}）", f"{_REF} 已通过市场部、销售部和财务部的审核。",
                                 f"Onboarding approved ({_REF})", f"{_REF} was approved by market, sales and finance."),
    "onboarding_rejected": _pair(f"入驻申请已驳回（{_REF}）", f"{_REF} 未通过审核。",
                                 f"Onboarding rejected ({_REF})", f"{_REF} was rejected."),
    "complaint_escalated": _pair(f"投诉已升级（{_REF}）", f"{_REF} 已升级，请渠道运营管理委员会处理。",
                                 f"Complaint escalated ({_REF})", f"{_REF} has been escalated to the committee."),
    "complaint_resolved": _pair(f"投诉已解决（{_REF}）", f"{_REF} 已解决。",
                                f"Complaint resolved ({_REF})", f"{_REF} has been resolved."),
    "yellow_card_issued": _pair(f"黄牌警告（{_REF}）", "连续两个季度未达标，已发出黄牌；三个月内未改善将转为红牌。",
                                f"Yellow card issued ({_REF})",
                                "Two missed quarters: a yellow card is issued. Without improvement within three "
                                "months it becomes a red card."),
    "red_card_issued": _pair(f"红牌（{_REF}）", "黄牌后三个月内未改善，已发出红牌，委员会将进行终止审查。",
                             f"Red card issued ({_REF})",
                             "No improvement within three months of the yellow card: a red card is issued and "
                             "the committee will review termination."),
    "channel_terminated": _pair(f"已终止合作（{_REF}）", "委员会已决定终止与该渠道的合作。",
                                f"Channel terminated ({_REF})", "The committee has terminated the channel."),
    "kpi_alarm": _pair("销售额报警：${subject}（${period}）",
                       "${subject} 的销售额较上期变化 ${change_pct}%（${previous} → ${current}），"
                       "已开启应急响应 #${instance_id}。",
                       "Sales alarm: ${subject} (${period})",
                       "Sales of ${subject} changed by ${change_pct}% against the previous period "
                       "(${previous} → ${current}); emergency response #${instance_id} is open."),
    "kpi_report_missing": _pair("KPI 月度数据未上报：${subject}（${period}）",
                                "${subject} 尚未上报 ${period} 的月度 KPI 数据，请尽快通过导入或接口提交。",
                                "Monthly KPI report missing: ${subject} (${period})",
                                "The monthly KPI report of ${subject} for ${period} has not arrived; please import or "
                                "send it."),
    "meeting_agenda": {
        "zh": ("会议议程：${meeting_title_zh}（${starts_local}）", ("${summary_zh}", "议程与日历邀请：${link}")),
        "en": ("Agenda: ${meeting_title_en} (${starts_local})",
               ("${summary_en}", "Agenda and calendar invite: ${link}")),
    },
    "meeting_cancelled": _pair("会议取消：${meeting_title_zh}（${starts_local}）", "本次会议已取消。",
                               "Cancelled: ${meeting_title_en} (${starts_local})", "This meeting is cancelled."),
}
_GENERIC = _pair(f"通知（{_REF}）", f"{_REF} 有一条通知（${{template}}）。",
                 f"Notice ({_REF})", f"A notice about {_REF} (${{template}}).")


class _Values(dict[str, str]):
    """Values for a title: a missing one shows as a dash rather than breaking the text."""

    def __missing__(self, key: str) -> str:
        return "—"


def render(template: str, payload: Mapping[str, Any], locale: str | None, *,
           zone: str = "Asia/Shanghai") -> tuple[str, str]:
    """The (title, body) of outbox `template` for `payload` in `locale` (zh or en; else zh).

    Times are shown in `zone`. Never raises for any payload, template name or locale.
    """
    lang = (locale or "zh").lower()[:2]
    lang = lang if lang in LOCALES else "zh"
    title, lead = TEMPLATES.get(template, _GENERIC)[lang]
    values = _Values(_values(payload, lang, zone=zone, template=template))
    lines = [line for line in (*lead, *_FOOTER[lang]) if _complete(line, values)]
    body = "\n".join(Template(line).safe_substitute(values) for line in lines)
    return Template(title).safe_substitute(values), body or Template(_GENERIC[lang][1][0]).safe_substitute(values)


def _complete(line: str, values: Mapping[str, str]) -> bool:
    return all(name in values for name in Template(line).get_identifiers())


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
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()[:2000]


def _when(value: str, zone: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return value
        return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"
    except (ValueError, KeyError):
        return value
