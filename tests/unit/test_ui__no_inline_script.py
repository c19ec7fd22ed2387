"""The templates hold no script the Content-Security-Policy would block: every <script> is a file
(or a JSON data block), and no element carries an `on*=` or `hx-on` handler or a javascript: URL."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "templates"
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"""<[a-z][^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=""", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_scripts(text: str) -> list[str]:
    """The attributes of each <script> that runs inline code."""
    return [attrs for attrs in SCRIPT.findall(text)
            if "src=" not in attrs and 'type="application/json"' not in attrs]


def handlers(text: str) -> list[str]:
    return [m.group(1) for m in HANDLER.finditer(text)] + [m.group(0) for m in JAVASCRIPT_URL.finditer(text)]


def test_the_checks_find_what_they_look_for() -> None:
    assert inline_scripts('<script>alert(1)</script><script src="/static/ui.js" defer></script>') == [""]
    assert inline_scripts('<script type="application/json" id="d">{}</script>') == []
    assert handlers('<button onclick="go()">') == ["onclick"]
    assert handlers('<form hx-on::after-request="x()">') == ["hx-on::after-request"]
    assert handlers('<a href="javascript:go()">') == ['href="javascript:']
    assert handlers('<p>one could write onclick=... in a sentence</p>') == []


def test_no_template_runs_inline_script() -> None:
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if problems := inline_scripts(text) + handlers(text):
            found[path.name] = problems
    assert len(list(TEMPLATES.rglob("*.html"))) > 20
    assert found == {}
