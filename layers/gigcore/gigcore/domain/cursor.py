"""Opaque, tamper-evident list cursors bound to the query that produced them.

A cursor is ``base64url(json(position)) + "." + base64url(hmac_sha256(secret, query_digest + payload))``.
The query digest covers every list parameter except ``cursor``, ``limit`` and ``fields``, so a cursor
replayed against other filters, another path or another caller is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from gigcore.domain.errors import ErrorDetail, MalformedRequestError

_UNBOUND = frozenset({"cursor", "limit", "fields", "before"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def query_digest(scope: str, params: Mapping[str, Any]) -> bytes:
    """Digest of the scope (path + caller) and the filters that a cursor is bound to."""
    bound = {k: params[k] for k in sorted(params) if k not in _UNBOUND}
    canonical = json.dumps([scope, bound], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).digest()


class CursorCodec:
    """Signs and verifies cursors with one secret (from settings)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the cursor secret must be at least 16 bytes")
        self._secret = secret

    def _sign(self, digest: bytes, payload: bytes) -> bytes:
        return hmac.new(self._secret, digest + payload, hashlib.sha256).digest()[:20]

    def encode(self, position: Mapping[str, Any], *, scope: str, params: Mapping[str, Any]) -> str:
        payload = json.dumps(position, sort_keys=True, separators=(",", ":")).encode()
        signature = self._sign(query_digest(scope, params), payload)
        return f"{_b64(payload)}.{_b64(signature)}"

    def decode(self, cursor: str, *, scope: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The position inside ``cursor``; :class:`MalformedRequestError` (400) when forged or foreign."""
        invalid = MalformedRequestError(
            "The cursor is invalid or belongs to another query.",
            details=[ErrorDetail(field="cursor", issue="invalid")],
        )
        try:
            payload_text, signature_text = cursor.split(".", 1)
            payload = _unb64(payload_text)
            signature = _unb64(signature_text)
        except (ValueError, TypeError) as exc:
            raise invalid from exc
        expected = self._sign(query_digest(scope, params), payload)
        if not hmac.compare_digest(signature, expected):
            raise invalid
        try:
            position = json.loads(payload)
        except ValueError as exc:
            raise invalid from exc
        if not isinstance(position, dict):
            raise invalid
        return position
