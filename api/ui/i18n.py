"""Chinese and English catalogs (Babel / gettext).

The `.po` files under `api/locales/<locale>/LC_MESSAGES/` are the source: `messages.po` and any
further `*.po` beside it (one per feature area while it is being written), merged into one catalog.
They are compiled in memory the first time a language is used, so no `.mo` file is committed or
built at install time.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import BytesIO

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh", "en")
DOMAIN = "messages"


def catalog(locale: str) -> Catalog:
    """Every `.po` file of `locale` merged, `messages.po` first (a later file may add, not replace)."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    folder = resources.files("api").joinpath(f"locales/{locale}/LC_MESSAGES")
    names = sorted((p.name for p in folder.iterdir() if p.name.endswith(".po")),
                   key=lambda name: (name != f"{DOMAIN}.po", name))
    merged: Catalog | None = None
    for name in names:
        part = read_po(BytesIO(folder.joinpath(name).read_bytes()), locale=locale, domain=DOMAIN)
        if merged is None:
            merged = part
            continue
        for message in part:
            if message.id and message.id not in merged:
                merged[message.id] = message
    if merged is None:
        raise FileNotFoundError(f"no catalog for {locale!r}")
    return merged


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    """The compiled catalog of `locale` (`zh` or `en`), built once per process."""
    buffer = BytesIO()
    write_mo(buffer, catalog(locale), use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def pick(*candidates: str | None, default: str) -> str:
    """The first candidate that is a known locale, else `default`."""
    return next((c for c in candidates if c in LOCALES), default)
