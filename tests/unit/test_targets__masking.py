"""Target URLs are write-only: every secret in them is masked to its last four characters."""

from __future__ import annotations

import pytest

from workflows.services.targets import mask, masked


@pytest.mark.parametrize(("url", "shown"), [
    ("mailtos://bot:password123456@example.com?to=li@example.com",
     "mailtos://bot:****3456@example.com?to=li@example.com"),
    ("mailto://noreply@example.com?smtp=mail.internal&port=25&mode=insecure&to=li@example.com",
     "mailto://noreply@example.com?smtp=mail.internal&port=25&mode=insecure&to=li@example.com"),
    ("mailto://bot@example.com?pass=smtp-password-99&to=a@b.cn", "mailto://bot@example.com?pass=****d-99&to=a@b.cn"),
    ("dingtalk://signsecret0123456789wxyz@accesstoken0123456789abcd/", "dingtalk://****wxyz@****abcd/"),
    ("feishu://0123456789abcdefKLMN", "feishu://****KLMN"),
    ("wecombot://0123456789abcdefWXYZ", "wecombot://****WXYZ"),
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0123456789abcdefQRST",
     "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****QRST"),
    ("json://ops:hunter2hunter2xy@hooks.example:8443/in?+Authorization=Bearer%20abcdefgh1234&team=ops",
     "json://ops:****r2xy@hooks.example:8443/in?+Authorization=****1234&team=ops"),
    ("json://hooks.example/in", "json://hooks.example/in"),
    ("not a url", "****"),
])
def test_every_secret_is_masked_and_nothing_else(url: str, shown: str) -> None:
    assert masked(url) == shown


def test_a_short_secret_shows_none_of_its_characters() -> None:
    assert mask("abc123") == "****" and mask("0123456789ab") == "****89ab"
    assert masked("feishu://tok-123") == "feishu://****"
