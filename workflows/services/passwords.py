"""Password hashing behind a small port, so tests can count the work and a missing user costs the same."""

from __future__ import annotations

import threading
from typing import Protocol

from pwdlib import PasswordHash


class Hasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password: str, hash: str) -> bool: ...


class Passwords:
    """Hashes and checks passwords (argon2id by default).

    `verify` always does the work of one check: when there is no stored hash (an unknown login,
    an inactive user, a user without a password) it checks against a dummy hash and says no, so
    the time of an answer does not tell whether a login exists.
    """

    def __init__(self, hasher: Hasher | None = None) -> None:
        self._hasher: Hasher = hasher or PasswordHash.recommended()
        self._dummy: str | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password: str, hashed: str | None) -> bool:
        if hashed is None:
            self._hasher.verify(password, self._dummy_hash())
            return False
        return self._hasher.verify(password, hashed)

    def _dummy_hash(self) -> str:
        with self._lock:
            if self._dummy is None:
                self._dummy = self._hasher.hash("no user has this password")
            return self._dummy
