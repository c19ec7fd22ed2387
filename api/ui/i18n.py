"""Chinese and English catalogs (Babel / gettext).

The `.po` files under `api/locales/` are the source; they are compiled in memory the first time
a language is used, so no `.mo` file is committed or built at install time.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh", "en")
DOMAIN = "messages"


def catalog_text(locale: str) -> str:
    path = resources.files("api").joinpath(f"locales/{locale}/LC_MESSAGES/{DOMAIN}.po")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    """The compiled catalog of `locale` (`zh` or `en`), built once per process."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    catalog = read_po(BytesIO(catalog_text(locale).encode("utf-8")), locale=locale, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def pick(*candidates: str | None, default: str) -> str:
    """The first candidate that is a known locale, else `default`."""
    return next((c for c in candidates if c in LOCALES), default)
