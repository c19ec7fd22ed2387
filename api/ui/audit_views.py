"""The audit trail page (`/audit`): every change to anything, filtered like `GET /api/v1/audit`,
newest first, older pages by cursor, and the filtered trail as CSV / Excel (`/exports/audit`).

Entity types and actions are shown by their titles; an action this page does not know yet shows
its name. Dates are local days of the configured time zone, `to` included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import Ui, UiDep
from workflows.domain.errors import InvalidInput, Problem
from workflows.services import audit_trail


def _(message: str) -> str:
    """Marks a title for the catalogs; it is translated when shown (`Ui.gettext`)."""
    return message


ENTITY_TYPES: dict[str, str] = {
    "instance": _("Workflow instance"), "task": _("Workflow task"), "channel": _("Channel"), "region": _("Region"),
    "user": _("User"), "definition": _("Workflow definition"), "calendar": _("Company calendar"),
    "kpi_import": _("KPI import"), "meeting": _("Meeting"), "notification_target": _("Notification target"),
    "outbox": _("Notification"), "rule_setting": _("Rule threshold"),
}
ACTIONS: dict[str, str] = {
    "started": _("Started"), "transition": _("Moved"), "task_completed": _("Task decided"),
    "task_claimed": _("Task claimed"), "task_released": _("Task released"), "task_escalated": _("Task escalated"),
    "approval_requested": _("Approval requested"), "sla_breached": _("SLA breached"),
    "breach_trigger_refused": _("Breach trigger refused"), "created": _("Record created"), "changed": _("Changed"),
    "updated": _("Record updated"), "removed": _("Removed"), "activated": _("Activated"),
    "deactivated": _("Deactivated"),
    "published": _("Published"), "card_changed": _("Card changed"), "stage_changed": _("Stage changed"),
    "stars_changed": _("Star rating changed"), "alarm_raised": _("Alarm raised"),
    "report_missing": _("KPI report missing"), "issue_yellow": _("Yellow card issued"),
    "recover": _("Recovered"), "imported": _("Imported"), "kpi_replaced": _("KPI row replaced"),
    "agenda_prepared": _("Agenda prepared"), "attendance_recorded": _("Attendance recorded"),
    "decision_recorded": _("Decision recorded"), "occurrence_cancelled": _("Meeting cancelled"),
    "calendar_entry_added": _("Calendar day added"), "calendar_entry_removed": _("Calendar day removed"),
    "api_token_issued": _("API token issued"), "api_token_revoked": _("API token revoked"),
    "password_changed": _("Password changed"), "sessions_ended": _("Logged out everywhere"),
    "locked_out": _("Locked out after failed logins"), "requeued": _("Notification requeued"),
    "follow_up_set": _("Follow-up date set"), "follow_up_cleared": _("Follow-up date cleared"),
}
router = APIRouter(prefix="/audit")
Text = Annotated[str, Query(max_length=100)]
DAY = r"^(\d{4}-\d{2}-\d{2})?$"
Kind = Annotated[str, Query(max_length=30)]
Action = Annotated[str, Query(max_length=50)]
Since = Annotated[str, Query(alias="from", max_length=10, pattern=DAY)]
Until = Annotated[str, Query(max_length=10, pattern=DAY)]


@dataclass(frozen=True)
class Filters:
    """The page's filters as typed (empty: no filter) and as the services take them."""

    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""
    action: str = ""
    since: str = ""
    until: str = ""

    def query(self) -> dict[str, str]:
        return {"entity_type": self.entity_type, "entity_id": self.entity_id, "actor": self.actor,
                "action": self.action, "from": self.since, "to": self.until}

    def service(self, timezone: str) -> dict[str, Any]:
        """Keyword arguments for `audit_page` / `audit_table`: local days as a [from, to + 1 day) window."""
        zone = ZoneInfo(timezone)
        start = _day("from", self.since)
        end = _day("to", self.until)
        return {"entity_type": self.entity_type or None, "entity_id": self.entity_id or None,
                "login": self.actor or None, "action": self.action or None,
                "start": None if start is None else datetime.combine(start, time(), zone),
                "end": None if end is None else datetime.combine(end + timedelta(days=1), time(), zone)}


def _day(name: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("bad date", [Problem(name, "expected a date, e.g. 2026-11-01")]) from None


def titles(ui: Ui) -> tuple[dict[str, str], dict[str, str]]:
    """Entity types and actions by their titles in the page's language."""
    return ({key: ui.gettext(title) for key, title in ENTITY_TYPES.items()},
            {key: ui.gettext(title) for key, title in ACTIONS.items()})


@router.get("")
def audit(ui: UiDep, entity_type: Kind = "", entity_id: Text = "", actor: Text = "", action: Action = "",
          since: Since = "", to: Until = "", cursor: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None
          ) -> Response:
    chosen = Filters(entity_type=entity_type, entity_id=entity_id.strip(), actor=actor.strip(), action=action,
                     since=since, until=to)
    page = audit_trail.audit_page(ui.svc, actor=ui.user, cursor=cursor, limit=audit_trail.DEFAULT_LIMIT,
                                  **chosen.service(ui.settings.timezone))
    entity_titles, action_titles = titles(ui)
    query = chosen.query()
    older = None if page.next_cursor is None else urlencode({**query, "cursor": page.next_cursor})
    return render.html(ui, "audit.html", page=page, query=query, entity_titles=entity_titles,
                       action_titles=action_titles, older=older, newest=urlencode(query) if cursor else None)
