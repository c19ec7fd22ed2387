"""Read-only `reporting_*` views for BI tools (Superset, Metabase, FineBI): channels, KPI rows, card
changes, tasks, instances and SLA clocks, with stable column names (docs/reports.md).

The SQL is the same on PostgreSQL and SQLite. Times are UTC without a zone, as the tables store them.
Views are not in the models' metadata, so `alembic check` does not see them.
A later migration that rebuilds one of the underlying tables on SQLite (batch mode copies, drops and
renames the table) must drop these views first and create them again after.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS: dict[str, str] = {
    "reporting_channels": """
        SELECT c.id AS channel_id, c.code AS channel_code, c.name AS channel_name, c.type AS channel_type,
               c.region AS region, c.manager_id AS manager_id, u.login AS manager_login, c.stage AS stage,
               c.stars AS stars, c.card AS card, c.monthly_target AS monthly_target, c.active AS active,
               c.created_at AS created_at, c.updated_at AS updated_at
        FROM channels c LEFT JOIN users u ON u.id = c.manager_id""",
    "reporting_kpis": """
        SELECT k.id AS kpi_id, k.channel_id AS channel_id, c.code AS channel_code, c.name AS channel_name,
               c.type AS channel_type, c.region AS region, k.period AS period,
               CAST(SUBSTR(k.period, 1, 4) AS INTEGER) AS year, CAST(SUBSTR(k.period, 6, 2) AS INTEGER) AS month,
               k.sales_target AS sales_target, k.sales_actual AS sales_actual,
               k.sales_actual * 100.0 / NULLIF(k.sales_target, 0) AS attainment_pct,
               k.satisfaction AS satisfaction, k.on_time_rate AS on_time_rate, k.return_rate AS return_rate,
               k.activity AS activity, k.late AS late, k.reported_at AS reported_at, k.reported_by AS reported_by
        FROM kpi_records k JOIN channels c ON c.id = k.channel_id""",
    "reporting_card_changes": """
        SELECT e.id AS change_id, e.at AS changed_at, c.id AS channel_id, c.code AS channel_code,
               c.name AS channel_name, c.region AS region, e.from_state AS from_card, e.to_state AS to_card,
               e.instance_id AS instance_id, e.actor_login AS actor_login, e.comment AS comment
        FROM audit_events e LEFT JOIN channels c ON CAST(c.id AS VARCHAR(100)) = e.entity_id
        WHERE e.entity_type = 'channel' AND e.action = 'card_changed'""",
    "reporting_instances": """
        SELECT i.id AS instance_id, i.workflow AS workflow, i.definition_version AS definition_version,
               i.subject_type AS subject_type, i.subject_id AS subject_id, i.state AS state, i.status AS status,
               i.requester_id AS requester_id, u.login AS requester_login, i.created_at AS created_at,
               i.updated_at AS updated_at, i.state_entered_at AS state_entered_at, i.closed_at AS closed_at
        FROM workflow_instances i LEFT JOIN users u ON u.id = i.requester_id""",
    "reporting_tasks": """
        SELECT k.id AS task_id, k.instance_id AS instance_id, i.workflow AS workflow, k.name AS task_name,
               k.candidate_group AS candidate_group, k.assignee_id AS assignee_id, a.login AS assignee_login,
               k.status AS status, k.decision AS decision, k.created_at AS created_at, k.due_at AS due_at,
               k.completed_at AS completed_at, k.completed_by AS completed_by, d.login AS completed_by_login,
               k.escalated_at AS escalated_at,
               CASE WHEN k.completed_at IS NULL OR k.due_at IS NULL THEN NULL
                    WHEN k.completed_at > k.due_at THEN 1 ELSE 0 END AS decided_late
        FROM tasks k JOIN workflow_instances i ON i.id = k.instance_id
             LEFT JOIN users a ON a.id = k.assignee_id LEFT JOIN users d ON d.id = k.completed_by""",
    "reporting_sla_clocks": """
        SELECT s.id AS clock_id, s.instance_id AS instance_id, s.workflow AS workflow, s.goal AS goal,
               s.working AS working_time, s.target_seconds AS target_seconds, s.used_seconds AS used_seconds,
               s.status AS status, s.started_at AS started_at, s.due_at AS due_at, s.stopped_at AS stopped_at,
               s.breached_at AS breached_at,
               CASE s.status WHEN 'met' THEN 1 WHEN 'breached' THEN 0 ELSE NULL END AS met
        FROM sla_clocks s""",
}


def upgrade() -> None:
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
