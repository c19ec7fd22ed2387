"""Every string of the UI is in both catalogs, and translated into Chinese with the same placeholders."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from api.ui import i18n

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _code_messages() -> set[str]:
    methods = [("api/ui/**.py", "python"), ("api/templates/**.html", "jinja2")]
    options = {"api/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(str(ROOT), method_map=methods, options_map=options,
                             keywords={"_": None, "gettext": None})
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def _catalog(locale: str) -> dict[str, str]:
    catalog = i18n.catalog(locale)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and isinstance(m.string, str)}


def test_every_ui_string_is_in_both_catalogs() -> None:
    used = _code_messages()
    assert len(used) > 100
    for locale in i18n.LOCALES:
        missing = sorted(used - set(_catalog(locale)))
        assert not missing, f"run `make messages`: missing from {locale}: {missing}"


def test_every_string_has_a_chinese_translation_with_the_same_placeholders() -> None:
    for english, chinese in _catalog("zh").items():
        assert chinese, f"untranslated: {english!r}"
        assert sorted(PLACEHOLDER.findall(chinese)) == sorted(PLACEHOLDER.findall(english)), english


def test_the_catalogs_compile_and_translate() -> None:
    assert i18n.translations("zh").gettext("Inbox") == "待办"
    assert i18n.translations("en").gettext("Inbox") == "Inbox"


def test_make_messages_keeps_every_translation_even_of_strings_no_extractor_finds(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "api", tmp_path / "api", ignore=shutil.ignore_patterns("__pycache__", "static"))
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "messages.py", tmp_path / "scripts" / "messages.py")
    before = {locale: _read(tmp_path, locale) for locale in i18n.LOCALES}
    subprocess.run([sys.executable, str(tmp_path / "scripts" / "messages.py")], check=True, capture_output=True)
    for locale in i18n.LOCALES:
        after = _read(tmp_path, locale)
        assert after == before[locale]
        assert "#~" not in (tmp_path / "api" / "locales" / locale / "LC_MESSAGES" / "messages.po").read_text()
    assert "Decided by" in before["zh"] and "Decided by" not in _code_messages()  # one no extractor finds


def _read(root: Path, locale: str) -> dict[str, str]:
    with (root / "api" / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return {m.id: m.string for m in read_po(file) if m.id and isinstance(m.id, str)}
