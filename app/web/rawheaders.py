"""Starlette's ``MutableHeaders`` edits on an ASGI message's raw header list, without a
``Headers`` object and a lower-casing and encoding of the name each call (every page's
response start passes through two middlewares that add headers: ``app.web.middleware``,
``app.web.etags``). Names are given lower-case, as bytes; the results are the same lists
``MutableHeaders`` makes."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

Raw = list[tuple[bytes, bytes]]


def raw_headers(message: MutableMapping[str, Any]) -> Raw:
    """The message's headers as a list of its own, put back in the message (as
    ``MutableHeaders(scope=message)`` does)."""
    raw: Raw = list(message.get("headers", ()))
    message["headers"] = raw
    return raw


def set_header(raw: Raw, key: bytes, value: bytes) -> None:
    """``MutableHeaders.__setitem__``: the first ``key`` gets ``value``, the others go; or
    it is appended."""
    found = [i for i, (k, _) in enumerate(raw) if k == key]
    for i in reversed(found[1:]):
        del raw[i]
    if found:
        raw[found[0]] = (key, value)
    else:
        raw.append((key, value))


def first_header(raw: Raw, key: bytes) -> bytes:
    """The first ``key``'s value, or b""."""
    for k, v in raw:
        if k == key:
            return v
    return b""
