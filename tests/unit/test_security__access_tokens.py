"""Verified access tokens are remembered until they expire, and nothing else is."""

from __future__ import annotations

import time

import jwt
import pytest

from api.security import AccessTokens, create_access_token
from workflows.domain.errors import Unauthenticated

SECRET = "unit-secret-0123456789-0123456789-0123456789"


class Seconds:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_remembered_token_is_not_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = AccessTokens(SECRET)
    token = create_access_token(user_id=7, secret=SECRET, minutes=10)
    assert tokens.user_id(token) == 7
    monkeypatch.setattr(jwt, "decode", lambda *args, **kwargs: pytest.fail("decoded again"))
    assert tokens.user_id(token) == 7


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    clock = Seconds(time.time())
    tokens = AccessTokens(SECRET, seconds=clock)
    token = create_access_token(user_id=7, secret=SECRET, minutes=10)
    assert tokens.user_id(token) == 7
    clock.now += 10 * 60 + 1
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.user_id(token)


def test_a_token_signed_with_another_secret_is_refused_every_time() -> None:
    tokens = AccessTokens(SECRET)
    forged = create_access_token(user_id=1, secret="another-secret-0123456789-0123456789-0123", minutes=10)
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="not valid"):
            tokens.user_id(forged)


def test_a_full_memory_starts_again_and_still_answers() -> None:
    tokens = AccessTokens(SECRET, size=2)
    issued = [create_access_token(user_id=user_id, secret=SECRET, minutes=10) for user_id in (1, 2, 3)]
    assert [tokens.user_id(token) for token in issued + issued] == [1, 2, 3, 1, 2, 3]
    assert len(tokens._valid) <= 2
