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
from api.ui.names import ACTIONS
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
            {key: ui.names.action(key) for key in ACTIONS})


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
