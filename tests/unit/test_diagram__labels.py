"""The Mermaid diagram draws one edge per pair of states, so labels never sit on top of each other."""

from __future__ import annotations

from channelops.bootstrap import build_registry
from workflows.domain.diagram import mermaid
from workflows.domain.validation import validate_source

SOURCE = """name: parallel
title: {zh: 并行, en: Parallel}
states:
  - {name: open, initial: true, title: {zh: 待处理, en: Open}}
  - {name: closed, final: true, title: {zh: 已关闭, en: Closed}}
transitions:
  - {trigger: close, source: open, dest: closed, title: {zh: 关闭, en: Close}}
  - {trigger: cancel, source: open, dest: closed, title: {zh: 取消, en: Cancel}}
  - {trigger: close_again, source: open, dest: closed, title: {zh: 关闭, en: Close}}
"""


def test_parallel_transitions_share_one_edge_with_every_title_once() -> None:
    result = validate_source(SOURCE, build_registry().vocabulary())
    assert result.definition is not None, result.problems
    text = mermaid(result.definition, locale="zh")
    edges = [line.strip() for line in text.splitlines() if line.strip().startswith("open -->")]
    assert edges == ["open --> closed: 关闭 / 取消"]
    assert "open --> closed: Close / Cancel" in mermaid(result.definition, locale="en")
