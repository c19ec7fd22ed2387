"""The KPI rules: quarterly attainment and cards, alarms, star ratings, lifecycle suggestions.

Each rule works inside the caller's unit of work, reads its thresholds from `channels.thresholds`,
and is idempotent: running it again for the same period finds its earlier outcome and changes
nothing. Workflow steps go through the engine's services (audited like any other step).
"""
