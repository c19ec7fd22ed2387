"""How many failed logins are allowed before a login name or a client address must wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

LOGIN = "login"
ADDRESS = "address"


@dataclass(frozen=True)
class LoginPolicy:
    """How many failed logins are allowed per login name and per client address, within `window`,
    before a `lockout` (CHANNELOPS_LOGIN_* settings)."""

    attempts: int = 5
    address_attempts: int = 50
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    def limit(self, kind: str) -> int:
        return self.attempts if kind == LOGIN else self.address_attempts
