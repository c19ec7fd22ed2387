"""`make messages`: the UI's strings extracted into the zh and en catalogs, no translation lost.

pybabel finds the strings of `api/ui` and the templates. The catalogs also hold strings no extractor
sees: the services' messages a page shows in its language (`Names.message`), the export headers and
sheet titles, the history's system comments. A plain `pybabel update` would retire those as obsolete,
so the template it updates from is the extracted strings plus every string the catalogs already hold.
New strings arrive untranslated; translate the zh entries (`tests/unit/test_ui__catalogs.py` checks).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def main() -> None:
    template_path = ROOT / "build" / "messages.pot"
    template_path.parent.mkdir(exist_ok=True)
    subprocess.run([PYBABEL, "extract", "-F", "api/locales/babel.cfg", "-k", "gettext", "--no-location",
                    "--sort-output", "-o", str(template_path), "."], cwd=ROOT, check=True)
    with template_path.open("rb") as file:
        template = read_po(file)
    for path in sorted((ROOT / "api" / "locales").glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as file:
            for message in read_po(file):
                if message.id and message.id not in template:
                    template.add(message.id, flags=message.flags - {"fuzzy"})
    with template_path.open("wb") as file:
        write_po(file, template, omit_header=False, sort_output=True, no_location=True)
    subprocess.run([PYBABEL, "update", "-i", str(template_path), "-d", "api/locales", "-D", "messages",
                    "--no-fuzzy-matching", "--width", "120"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
