"""KPI import: the whole batch is checked first; if any row is bad nothing is written and every
bad row is reported with its line and reason. A row for a (channel, month) already stored
replaces it, and the replacement is audited with the old and new values.

Who may: administrators for any channel, channel managers for the channels they manage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from channels import periods
from channels import tables as ct
from channels.bulk import bulk_insert
from channels.kpi_files import RawRow, month_text, number, read_rows
from channels.links import local_date
from channels.permissions import ChannelAction, ChannelRef, allows, require
from channels.thresholds import Thresholds, load
from channels.views import ImportResult
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.principals import Actor
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit

Progress = Callable[[str, int, int], None]
METRICS = ("sales_target", "sales_actual", "satisfaction", "on_time_rate", "return_rate", "activity")
LIMITS: dict[str, tuple[float, float]] = {
    "sales_target": (0.0, 1e13), "sales_actual": (0.0, 1e13), "satisfaction": (0.0, 100.0),
    "on_time_rate": (0.0, 100.0), "return_rate": (0.0, 100.0), "activity": (0.0, 1e9)}
MAX_PROBLEMS = 5000
CHUNK = 5000


def _channels(uow: UnitOfWork) -> dict[str, dict[str, Any]]:
    c = ct.channels.c
    rows = uow.conn.execute(select(c.id, c.code, c.type, c.manager_id, c.monthly_target)).mappings()
    return {row["code"]: dict(row) for row in rows}


def check_rows(uow: UnitOfWork, *, actor: Actor, rows: Sequence[RawRow], now: datetime, today_month: str,
               progress: Progress | None = None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Turn raw rows into records to store, or list every problem (line, column, reason)."""
    known, limits = _channels(uow), load(uow)
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    months: dict[Any, str | None] = {}  # a file holds few distinct month spellings: read each once
    for index, raw in enumerate(rows):
        found = _check_one(raw, known=known, limits=limits, actor=actor, seen=seen, today_month=today_month,
                           months=months)
        if isinstance(found, list):
            problems += found
        elif not problems:
            records.append(found)
        if progress and index % CHUNK == 0:
            progress("checked", index, len(rows))
    return records, problems


def _check_one(raw: RawRow, *, known: Mapping[str, dict[str, Any]], limits: Thresholds, actor: Actor,
               seen: dict[tuple[str, str], int], today_month: str,
               months: dict[Any, str | None]) -> dict[str, Any] | list[Problem]:
    line, values = raw.line, raw.values
    problems: list[Problem] = []
    code = str(values.get("channel_code") or "").strip()
    channel = known.get(code)
    if not code:
        problems.append(Problem("channel_code", "is empty", line=line))
    elif channel is None:
        problems.append(Problem("channel_code", f"unknown channel {code!r}", line=line))
    elif not allows(actor, ChannelAction.REPORT_CHANNEL_KPIS, ChannelRef(manager_id=channel["manager_id"])):
        problems.append(Problem("channel_code", f"you do not manage channel {code!r}", line=line))
    raw_period = values.get("period")
    try:
        period = months[raw_period]
    except (KeyError, TypeError):
        period = month_text(raw_period)
        if isinstance(raw_period, (str, int)):
            months[raw_period] = period
    if period is None:
        problems.append(Problem("period", f"bad month {values.get('period')!r} (expected YYYY-MM)", line=line))
    elif period > today_month:
        problems.append(Problem("period", f"{period} is in the future", line=line))
    elif code and (first := seen.get((code, period))) is not None:
        problems.append(Problem("period", f"duplicate: {code} {period} is already on line {first}", line=line))
    elif code:
        seen[(code, period)] = line
    record: dict[str, Any] = {}
    for name in METRICS:
        try:
            value = number(values.get(name))
        except ValueError:
            problems.append(Problem(name, f"bad number {values.get(name)!r}", line=line))
            continue
        low, high = LIMITS[name]
        if value is not None and not low <= value <= high:
            problems.append(Problem(name, f"{value:g} is out of range ({low:g} to {high:g})", line=line))
        record[name] = value
    if "sales_actual" in record and record["sales_actual"] is None:
        problems.append(Problem("sales_actual", "is empty", line=line))
    if record.get("sales_target") == 0:
        problems.append(Problem("sales_target", "must be greater than 0", line=line))
    if problems or channel is None or period is None:
        return problems
    target = record["sales_target"] or channel["monthly_target"] or limits.type_targets[channel["type"]]
    return {**record, "sales_target": target, "channel_id": channel["id"], "period": period, "code": code,
            "line": line, "channel_type": channel["type"]}


def store(svc: Services, uow: UnitOfWork, *, actor: Actor, records: list[dict[str, Any]], source: str,
          now: datetime, progress: Progress | None = None) -> ImportResult:
    """Write checked records in the caller's transaction, replacing (and auditing) stored ones."""
    limits = load(uow)
    today = local_date(svc, now)
    k = ct.kpi_records.c
    wanted = {(r["channel_id"], r["period"]) for r in records}
    stored: dict[tuple[int, str], dict[str, Any]] = {}
    for chunk in _chunks(sorted({r["channel_id"] for r in records}), 500):
        for row in uow.conn.execute(select(ct.kpi_records).where(k.channel_id.in_(chunk))).mappings():
            if (row["channel_id"], row["period"]) in wanted:
                stored[(row["channel_id"], row["period"])] = dict(row)
    for chunk in _chunks([row["id"] for row in stored.values()], 500):
        uow.conn.execute(delete(ct.kpi_records).where(k.id.in_(chunk)))
    # a month is late after its deadline, which depends on how often the channel's type reports
    late = {(month, kind): today > periods.reporting_deadline(month, day=limits.report_due_day,
                                                              frequency=limits.frequency(kind))
            for month, kind in {(r["period"], r.get("channel_type")) for r in records}}
    rows = [{**{m: r[m] for m in METRICS}, "channel_id": r["channel_id"], "period": r["period"],
             "late": _first_late(stored.get((r["channel_id"], r["period"])),
                                 late[(r["period"], r.get("channel_type"))]),
             "reported_at": now, "reported_by": actor.login} for r in records]
    for done, chunk in enumerate(_chunks(rows, CHUNK)):
        bulk_insert(uow, ct.kpi_records, chunk)
        if progress:
            progress("written", min((done + 1) * CHUNK, len(rows)), len(rows))
    for r in records:  # one audit row per replaced report; the unit of work inserts them in one batch
        if (old := stored.get((r["channel_id"], r["period"]))) is not None:
            audit(uow, now=now, actor=actor, entity_type="channel", entity_id=r["channel_id"], action="kpi_replaced",
                  comment=f"{source} line {r['line']}",
                  data={"period": r["period"], "from": {m: old[m] for m in METRICS}, "to": {m: r[m] for m in METRICS}})
    months = sorted({r["period"] for r in records})
    result = ImportResult(rows=len(records), created=len(records) - len(stored), replaced=len(stored),
                          late=sum(1 for row in rows if row["late"]), periods=months)
    audit(uow, now=now, actor=actor, entity_type="kpi_import", entity_id=source[:100], action="imported",
          data=result.model_dump())
    return result


def _first_late(old: Mapping[str, Any] | None, now_late: bool) -> bool:
    """A correction keeps the lateness of the first report: an on-time report corrected later stays on time."""
    return bool(old["late"]) if old is not None else now_late


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    return (items[i:i + size] for i in range(0, len(items), size))


def import_rows(svc: Services, *, actor: Actor, rows: Sequence[RawRow], source: str,
                progress: Progress | None = None) -> ImportResult:
    """Check every row, then store them all in one transaction, or raise InvalidInput listing every bad row."""
    require(actor, ChannelAction.REPORT_KPIS)
    return _import(svc, actor=actor, rows=rows, source=source, progress=progress)


def _import(svc: Services, *, actor: Actor, rows: Sequence[RawRow], source: str,
            progress: Progress | None) -> ImportResult:
    if not rows:
        raise InvalidInput("nothing to import", [Problem("rows", "no data rows")])
    now = svc.clock.now()
    with svc.uow() as uow:
        records, problems = check_rows(uow, actor=actor, rows=rows, now=now,
                                       today_month=periods.month_of(local_date(svc, now)), progress=progress)
        if problems:
            shown = problems[:MAX_PROBLEMS]
            if len(problems) > MAX_PROBLEMS:
                shown.append(Problem("rows", f"and {len(problems) - MAX_PROBLEMS} more problems"))
            bad = len({p.line for p in problems})
            raise InvalidInput(f"{bad} of {len(rows)} rows are not valid; nothing was imported", shown)
        result = store(svc, uow, actor=actor, records=records, source=source, now=now, progress=progress)
        uow.commit()
    return result


def import_file(svc: Services, *, actor: Actor, data: bytes, filename: str | None = None,
                progress: Progress | None = None) -> ImportResult:
    """Import a CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX file of monthly KPI rows.

    Raises:
        PermissionDenied: the actor may not report KPIs (checked before the file is read).
        InvalidInput: the file is larger than `svc.limits.upload_bytes`, or rows are not valid.
    """
    require(actor, ChannelAction.REPORT_KPIS)
    limit = svc.limits.upload_bytes
    if len(data) > limit:
        raise InvalidInput("the file is too large", [Problem("file", f"at most {limit // (1024 * 1024)} MB: split it")])
    return _import(svc, actor=actor, rows=read_rows(data, filename=filename), source=filename or "upload",
                   progress=progress)


def import_records(svc: Services, *, actor: Actor, rows: Sequence[Mapping[str, Any]]) -> ImportResult:
    """The JSON form: row N of the list is reported as line N."""
    return import_rows(svc, actor=actor, rows=[RawRow(line=i + 1, values=dict(r)) for i, r in enumerate(rows)],
                       source="api")
