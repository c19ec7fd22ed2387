"""What every page needs: the services, the session, the signed-in user and the language."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated

from babel.support import Translations
from fastapi import Depends, Request

from api.ui import i18n, session
from api.ui.format import Formatter
from api.ui.names import Names
from channelops.settings import Settings
from channels import permissions
from workflows.domain.errors import PermissionDenied, Unauthenticated
from workflows.domain.principals import Actor
from workflows.services import auth
from workflows.services.context import Services


class CsrfRefused(PermissionDenied):
    title = "Form expired"


@dataclass
class Ui:
    request: Request
    svc: Services
    settings: Settings
    session: session.Session
    actor: Actor | None
    locale: str
    form: dict[str, str] = field(default_factory=dict)  # a POST's text fields, read by `checked_form`

    @property
    def translations(self) -> Translations:
        return i18n.translations(self.locale)

    def gettext(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    @property
    def fmt(self) -> Formatter:
        return Formatter(locale=self.locale, timezone=self.settings.timezone, svc=self.svc, gettext=self.gettext)

    @cached_property
    def names(self) -> Names:
        """Titles of states, fields, groups, regions... in this page's language (see `api/ui/names.py`)."""
        return Names(locale=self.locale, svc=self.svc, gettext=self.gettext)

    @property
    def user(self) -> Actor:
        """The signed-in user; Unauthenticated (a redirect to the login page) without one."""
        if self.actor is None:
            raise Unauthenticated("log in first")
        return self.actor

    def may(self, action: str, obj: object = None) -> bool:
        """Whether to show what `action` needs (templates: `ui.may('publish_definition')`)."""
        return self.actor is not None and permissions.allows(self.actor, action, obj)

    def allowed(self, action: str, obj: object = None) -> Actor:
        """The signed-in user, if they may do `action` (PermissionDenied otherwise)."""
        permissions.require(self.user, action, obj)
        return self.user

    @property
    def max_age(self) -> int:
        return self.settings.token_minutes * 60


def build(request: Request) -> Ui:
    """The UI context of a request (also used by the error pages)."""
    svc: Services = request.app.state.services
    settings: Settings = request.app.state.settings
    current = session.load(request, secret=settings.secret_key, max_age=settings.token_minutes * 60)
    actor = None
    if current.user_id is not None:
        try:
            actor = auth.actor_by_id(svc, user_id=current.user_id, epoch=current.epoch)
        except Unauthenticated:  # logged out or deactivated since: back to an anonymous session
            current = current.logout()
    locale = i18n.pick(actor.locale if actor else None, current.locale, default=settings.locale)
    return Ui(request=request, svc=svc, settings=settings, session=current, actor=actor, locale=locale)


def ui_context(request: Request) -> Ui:
    return build(request)


UiDep = Annotated[Ui, Depends(ui_context)]


async def checked_form(request: Request, ui: UiDep) -> Ui:
    """The UI context of a POST whose CSRF token (form field or htmx header) matches the session."""
    form = await request.form()
    ui.form = {key: value for key, value in form.items() if isinstance(value, str)}
    token = request.headers.get(session.CSRF_HEADER) or ui.form.get(session.CSRF_FIELD)
    if not ui.session.csrf_matches(token):
        raise CsrfRefused("the form has expired or did not come from this site; reload the page and try again")
    return ui


PostDep = Annotated[Ui, Depends(checked_form)]
