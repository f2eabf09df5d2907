"""Argon2id password hashing (argon2-cffi), with equal time for unknown users.

The default profile is OWASP's baseline for Argon2id: 19 MiB of memory, two passes, one lane (about 20 ms of
CPU). argon2-cffi's own default (RFC 9106's low-memory profile: 64 MiB, three passes, four lanes) costs about
165 ms of CPU per login and its four lanes buy nothing on a Lambda of one vCPU or less (the API function has
0.58 of one): it made a login the dearest request of the platform by a factor of ten (docs/scaling.md).
A hash keeps the parameters it was made with; :meth:`needs_rehash` tells the login to store a new one.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2PasswordHasher:
    def __init__(self, *, time_cost: int = 2, memory_kib: int = 19_456, parallelism: int = 1) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._dummy = self._hasher.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> None:
        self.verify(self._dummy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
