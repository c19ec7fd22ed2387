"""The migrations and the models describe the same schema, on both databases."""

from __future__ import annotations

from workflows.persistence import migrate


def test_migrations_produce_exactly_the_models_schema(database_url: str) -> None:
    migrate.check(database_url)


def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.check(database_url)
