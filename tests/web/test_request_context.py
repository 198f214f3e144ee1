"""The per-request middleware's cookies, written from a template made once."""

from __future__ import annotations

import secrets

import pytest

from app.web.middleware import _cookie, _set_cookie


@pytest.mark.parametrize("secure", [True, False])
@pytest.mark.parametrize("httponly", [True, False])
def test_cookies_are_what_starlette_writes(secure: bool, httponly: bool) -> None:
    values = [secrets.token_urlsafe(32) for _ in range(20)] + ["sv", "en", "a-b_c"]
    # Values a template would not fit (quoted or refused by Starlette) take the slow way.
    values += ["with space", "semi;colon", 'quo"te', "x" * 300]
    for value in values:
        for name, age in (("citat_csrf", 43_200), ("citat_lang", 365 * 86_400)):
            assert _cookie(name, value, age, secure, httponly) == _set_cookie(
                name, value, age, secure, httponly)
