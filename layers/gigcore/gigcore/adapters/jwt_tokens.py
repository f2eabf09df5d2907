"""Short-lived access tokens: JWT (PyJWT), HS256 with a key from settings (Secrets Manager in the cloud)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt

from gigcore.domain.errors import UnauthorizedError
from gigcore.domain.ids import new_id
from gigcore.domain.users import Principal, User
from gigcore.ports.auth import AccessGrant

ISSUER = "gigconnect"


class JwtAccessTokens:
    def __init__(self, secret: bytes, ttl_seconds: int) -> None:
        if len(secret) < 32:
            raise ValueError("the JWT key must be at least 32 bytes")
        self._secret = secret
        self._ttl = ttl_seconds

    def issue(self, user: User, now: datetime, *, session_id: str | None = None) -> tuple[str, int]:
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": user.id,
            "roles": list(user.roles),
            "typ": "access",
            "iat": issued,
            "exp": issued + self._ttl,
            "jti": new_id(),
            # The session (refresh-token family) and the user's session generation when it was issued: what a
            # long-lived WebSocket checks to learn that the session was closed (logout, password reset).
            "gen": user.session_generation,
        }
        if session_id is not None:
            claims["sid"] = session_id
        return jwt.encode(claims, self._secret, algorithm="HS256"), self._ttl

    def verify(self, token: str, now: datetime) -> Principal:
        return self.grant(token, now).principal

    def grant(self, token: str, now: datetime) -> AccessGrant:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                # Time is checked below against the clock the caller passes, not read by PyJWT from the system.
                options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": False, "verify_iat": False,
                         "verify_nbf": False},
            )
        except jwt.PyJWTError as exc:
            raise UnauthorizedError("The access token is not valid.") from exc
        if claims.get("typ") != "access" or not isinstance(claims.get("sub"), str):
            raise UnauthorizedError("The access token is not valid.")
        if int(claims["exp"]) <= int(now.timestamp()):
            raise UnauthorizedError("The access token has expired.")
        roles = claims.get("roles") or []
        session_id = claims.get("sid")
        generation = claims.get("gen")
        return AccessGrant(principal=Principal(user_id=claims["sub"], roles=tuple(str(r) for r in roles)),
                           expires_at=int(claims["exp"]),
                           session_id=session_id if isinstance(session_id, str) else None,
                           generation=generation if isinstance(generation, int) else 0)
