"""JSON from clients (request bodies, WebSocket frames) parsed into an object, or a clear 400.

``json.loads`` recurses once per level of nesting: a body of 50,000 ``[`` raises ``RecursionError``, and a
body a few hundred levels deep parses but hands pydantic (and whatever reads the value) a structure no
request model describes. So the nesting depth is measured first, without recursing and without building
anything, and anything deeper than :data:`MAX_DEPTH` is refused before it is parsed. No GigConnect body
comes near the limit (the deepest, an accept with milestones, is 4 levels).
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from gigcore.domain.errors import ErrorDetail, MalformedRequestError

#: The deepest nesting of arrays and objects accepted in a body or frame.
MAX_DEPTH = 32

# A JSON string (escapes included): its content is not structure. An unterminated one runs to the end of
# the text, so a match never fails and the scan stays linear (a pattern that could fail would be retried at
# every later quote: quadratic on 256 KB of ``"\"\"\"...``).
_STRING = re.compile(rb'"(?:[^"\\]++|\\.|\\\Z)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


def nesting_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in ``raw`` (JSON text), counted without parsing it."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    opening = brackets.count(b"[") + brackets.count(b"{")
    if opening <= MAX_DEPTH:  # never deeper than the number of openings: the common case costs no loop
        return opening
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _refused(what: str, message: str, issue: str) -> MalformedRequestError:
    return MalformedRequestError(f"{what} {message}", details=[ErrorDetail(field="body", issue=issue)])


def load_object(raw: bytes | str, *, what: str = "The request body") -> dict[str, Any]:
    """``raw`` parsed as a JSON object; empty (or blank) text is ``{}``.

    Raises :class:`MalformedRequestError` (400 ``validation_error``, ``details`` on ``body``) when it is
    not JSON, is nested deeper than :data:`MAX_DEPTH`, or is not an object.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if not data.strip():
        return {}
    if nesting_depth(data) > MAX_DEPTH:
        raise _refused(what, f"is nested deeper than {MAX_DEPTH} levels.", f"nested deeper than {MAX_DEPTH} levels")
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _refused(what, "is not valid JSON.", "invalid JSON") from exc
    if not isinstance(parsed, dict):
        raise _refused(what, "must be a JSON object.", "not an object")
    return parsed
