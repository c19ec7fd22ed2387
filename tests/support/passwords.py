"""A fast stand-in for argon2 that counts its work, and one that waits until told to go on."""

from __future__ import annotations

import hashlib
import hmac
import threading


class CountingHasher:
    """Hashes with SHA-256 (fast, fine for tests); counts every hash and every check."""

    def __init__(self) -> None:
        self.hashes = 0
        self.checks = 0

    def hash(self, password: str) -> str:
        self.hashes += 1
        return "sha256$" + hashlib.sha256(password.encode()).hexdigest()

    def verify(self, password: str, hash: str) -> bool:
        self.checks += 1
        return hmac.compare_digest(hash, "sha256$" + hashlib.sha256(password.encode()).hexdigest())


class GatedHasher(CountingHasher):
    """Every check waits until `release` is set (and says when it started): a slow password check."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()
        self.release = threading.Event()

    def verify(self, password: str, hash: str) -> bool:
        self.started.set()
        self.release.wait(timeout=30)
        return super().verify(password, hash)
