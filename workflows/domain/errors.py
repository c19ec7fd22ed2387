"""Errors a caller can cause. Each maps to one HTTP status and one CLI message."""

from __future__ import annotations

from dataclasses import dataclass, field


class ChannelOpsError(Exception):
    """Base of every error a user can cause; `status` is the HTTP status it maps to."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ChannelOpsError):
    status = 404
    title = "Not found"


class Unauthenticated(ChannelOpsError):
    status = 401
    title = "Not authenticated"


class PermissionDenied(ChannelOpsError):
    status = 403
    title = "Permission denied"


class Conflict(ChannelOpsError):
    """The request is valid but the current state forbids it (or another request won a race)."""

    status = 409
    title = "Conflict"


class Unavailable(ChannelOpsError):
    """A capability this installation lacks (e.g. a system tool that is not installed)."""

    status = 503
    title = "Service unavailable"


class TooManyRequests(ChannelOpsError):
    """Refused for a while (too many failed logins, or too many logins waiting at once); try again
    after `retry_after` seconds."""

    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Busy(Unavailable):
    """Too much work of one kind waiting at once (e.g. password checks); try again shortly."""

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class TriggerNotAllowed(Conflict):
    title = "Trigger not allowed now"


class GuardRefused(TriggerNotAllowed):
    """The trigger applies in this state, but one of its guards said no."""


class TaskClosed(Conflict):
    title = "Task no longer open"


class ConcurrentUpdate(Conflict):
    title = "Concurrent update"


@dataclass(frozen=True)
class Problem:
    """One problem in an input, with where it is (`transitions[3].dest`) and its line if known."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}" if self.line is None else f"{self.path} (line {self.line})"
        return f"{where}: {self.message}"


@dataclass
class InvalidInput(ChannelOpsError):
    """Input that fails validation; carries every problem found, not just the first."""

    message: str
    problems: list[Problem] = field(default_factory=list)
    status = 422
    title = "Invalid input"

    def __post_init__(self) -> None:
        super().__init__(self.message)
