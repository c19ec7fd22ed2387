"""Render DOT source to SVG with Graphviz's `dot` (Debian package `graphviz`)."""

from __future__ import annotations

import shutil
import subprocess

from workflows.domain.errors import Unavailable

TIMEOUT = 10.0


def svg_available() -> bool:
    return shutil.which("dot") is not None


def render_svg(dot_source: str) -> str:
    """The SVG drawing of `dot_source`; `Unavailable` if Graphviz is not installed or fails."""
    binary = shutil.which("dot")
    if binary is None:
        raise Unavailable("SVG diagrams need Graphviz's `dot` (apt-get install graphviz); "
                          "format=mermaid works without it")
    try:
        done = subprocess.run([binary, "-Tsvg"], input=dot_source.encode(), capture_output=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise Unavailable(f"Graphviz took longer than {TIMEOUT:.0f} s to draw the diagram") from exc
    if done.returncode != 0:
        raise Unavailable(f"Graphviz could not draw the diagram: {done.stderr.decode(errors='replace')[:500]}")
    return done.stdout.decode()
