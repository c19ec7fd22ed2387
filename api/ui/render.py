"""Pages and fragments: Jinja2 templates with the gettext catalogs of the request's language."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.ui import i18n, session
from api.ui.context import Ui


@lru_cache(maxsize=len(i18n.LOCALES))
def environment(locale: str) -> Environment:
    """One environment per language, built once: the translations are fixed per environment."""
    env = Environment(loader=PackageLoader("api", "templates"), autoescape=select_autoescape(),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"], trim_blocks=True,
                      lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["urlquote"] = lambda value: quote(str(value), safe="")
    return env


def finish(ui: Ui, response: Response) -> Response:
    """Attach the session cookie if it changed, and keep pages out of shared caches."""
    session.store(response, ui.session, secret=ui.settings.secret_key, max_age=ui.max_age,
                  secure=ui.settings.environment == "production")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def html(ui: Ui, template: str, *, status: int = 200, headers: dict[str, str] | None = None,
         **values: Any) -> Response:
    """Render `template` for `ui`'s user, in their language."""
    context = {"ui": ui, "actor": ui.actor, "locale": ui.locale, "csrf": ui.session.csrf, "fmt": ui.fmt,
               "names": ui.names, "path": ui.request.url.path, "htmx": is_htmx(ui), **values}
    text = environment(ui.locale).get_template(template).render(context)
    return finish(ui, HTMLResponse(text, status_code=status, headers=headers))


def redirect(ui: Ui, url: str) -> Response:
    """303 to `url`; for an htmx request, an `HX-Redirect` so the whole page changes."""
    if is_htmx(ui):
        return finish(ui, Response(status_code=204, headers={"HX-Redirect": url}))
    return finish(ui, RedirectResponse(url, status_code=303))


def is_htmx(ui: Ui) -> bool:
    return ui.request.headers.get("HX-Request") == "true"


def safe_next(url: str | None) -> str:
    """Only a local path may follow a log-in (no open redirect)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url
