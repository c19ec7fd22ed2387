"""How many request-handler threads an API process runs."""

from __future__ import annotations

import os

import pytest

from channelops.settings import Settings


def test_an_api_process_on_sqlite_handles_requests_in_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHANNELOPS_THREADS", raising=False)
    assert Settings(database_url="sqlite:///channelops.db").api_threads() == 1


def test_an_api_process_on_postgresql_runs_two_threads_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHANNELOPS_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert Settings(database_url="postgresql://postgres@127.0.0.1/channelops").api_threads() == 6


def test_a_configured_thread_count_wins_on_either_database() -> None:
    assert Settings(database_url="sqlite:///channelops.db", threads=4).api_threads() == 4
    assert Settings(database_url="postgresql://postgres@127.0.0.1/channelops", threads=3).api_threads() == 3
