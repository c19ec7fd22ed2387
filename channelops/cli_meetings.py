"""`channelops agenda MEETING_ID`: prepare a meeting's agenda if needed and print it."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from channelops.cli_support import fail, services
from channelops.settings import get_settings
from channels.meetings.agendas import get_agenda, prepare_agenda
from channels.meetings.rendering import render
from workflows.domain.errors import ChannelOpsError
from workflows.domain.principals import SYSTEM


class AgendaFormat(StrEnum):
    md = "md"
    html = "html"
    ics = "ics"
    json = "json"


class Language(StrEnum):
    zh = "zh"
    en = "en"


def agenda(
    meeting_id: Annotated[int, typer.Argument(min=1, help="the meeting (or series) id")],
    format: Annotated[AgendaFormat, typer.Option("--format", help="md, html, ics or json")] = AgendaFormat.md,
    lang: Annotated[Language | None, typer.Option("--lang", help="zh or en (default: CHANNELOPS_LOCALE)")] = None,
    occurrence: Annotated[int | None, typer.Option("--occurrence", min=1, help="default: the next one")] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="regenerate even if an agenda exists")] = False,
    send: Annotated[bool, typer.Option("--send/--no-send", help="send a new or changed agenda to attendees")] = True,
) -> None:
    """Print a meeting's agenda; generate it first (from live data) when it has none yet or with --refresh.

    Generating keeps the decisions already recorded, and sends the agenda and its invitation to the
    attendees through the outbox when it is new or changed (unless --no-send).
    """

    chosen = lang.value if lang is not None else get_settings().locale
    try:
        with services() as svc:
            view = get_agenda(svc, actor=SYSTEM, meeting_id=meeting_id, occurrence_id=occurrence)
            if refresh or view.generated_at is None:
                view = prepare_agenda(svc, actor=SYSTEM, meeting_id=meeting_id,
                                      occurrence_id=view.occurrence.id, distribute=send)
            text = render(view, format=format.value, lang=chosen, stamp=svc.clock.now(),
                          base_url=svc.public_url).text
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(text, nl=False)
