"""No file of the repository names a place on one particular machine.

The rule, for every text file git tracks (or would track: new files not ignored), this one aside:
no absolute path into a person's or a machine's own directories, since it works on one machine
only and leaks who built what where. Flagged:

- a home directory: `home`, `Users` or `root` directly below the file system's root;
- a machine's work or mount directories: `work`, `mnt`, `media` below the root, macOS's temporary folders;
- a named file or folder in the shared temporary directory (use `tempfile` or
  pytest's `tmp_path`, which pick a fresh one);
- a Windows drive path: `C:\\...` (an upper-case drive letter, as Windows writes them; `a:\\n` is
  YAML in a Python string, not a path).

A path is flagged only where it starts a path: the slash follows the start of a line, a space, a
quote, a bracket, `=`, `:` or another slash (an SQLite URL or a `file:` URL to such a path is
caught). A URL's path (`https://example.com/home/x`) or a relative one (`docs/work/x`) is not.
System paths the scripts and tests need on every machine (`/usr/bin/chromium`, `/etc/postgresql`,
`/proc/<pid>/status`, `/var/lib/postgresql/data`, `/usr/local/bin`) are not personal and not flagged.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THIS = Path(__file__).resolve()
# The directories below the root, written without their slashes so that this file names none.
HOMES = ("home", "Users")  # followed by a user name
MACHINE_DIRS = ("root", "work", "mnt", "media", "private/var/folders")
MACHINE_PATH = re.compile(
    r"""(?:^|(?<=[\s"'`(\[{<=:/,]))"""  # where a path starts: not inside a host name or a relative path
    + "(?:/(?:" + "|".join(HOMES) + r""")/[^/\s"'`]+"""
    + "".join(f"|/{name}/" for name in MACHINE_DIRS)
    + r"""|/tmp/[\w.-]|[A-Z]:\\{1,2}[\w.$-])""",
    re.MULTILINE,
)
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def repository_files() -> list[Path]:
    """What git tracks plus new files it does not ignore; every file below the root without git."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                                capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    except (OSError, subprocess.SubprocessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    return [ROOT / name for name in listed if name and (ROOT / name).is_file()]


def machine_paths(text: str) -> list[str]:
    return [match.group(0) for match in MACHINE_PATH.finditer(text)]


def test_no_file_names_a_path_of_one_machine() -> None:
    found = []
    for path in repository_files():
        if path.resolve() == THIS:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # images and other binary files
        for number, line in enumerate(text.splitlines(), start=1):
            found += [f"{path.relative_to(ROOT)}:{number}: {hit}" for hit in machine_paths(line)]
    assert found == []


def test_the_rule_flags_personal_paths_and_leaves_urls_and_system_paths_alone() -> None:
    # Built from parts, so that this file itself names no machine's path.
    home, work, users, root, mnt, tmp = ("/" + name for name in ("home", "work", "Users", "root", "mnt", "tmp"))
    flagged = [f"see {home}/li/notes.md", f"(`{work}/shared/notes/prefect.md`)", f'db = "sqlite:///{home}/li/x.db"',
               f"file://{users}/li/x", f"cd {root}/src", f"open('{tmp}/report.csv')", "C:" + "\\Users\\li",
               '"D:' + '\\\\data"', f"{mnt}/data/x", f"path={work}/main/x"]
    kept = ["https://ops.example.cn/home/x", "docs/work/plan.md", "/usr/bin/chromium", "ls /etc/postgresql",
            "/proc/1/status", "pgdata:/var/lib/postgresql/data", "/usr/local/bin/channelops-start",
            "http://127.0.0.1:4200/api", "/instances/5", "a: b", "re.compile(r'\\d:\\s')", "tmp_path / 'x'",
            'refusal("a:\\n  <<: {b: 1}\\n")']
    assert [line for line in flagged if not machine_paths(line)] == []
    assert [line for line in kept if machine_paths(line)] == []
