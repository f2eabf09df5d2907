"""The ``PasswordHasher`` contract, run against Argon2 (small parameters, for speed) and the fake."""

from __future__ import annotations

import pytest

from gigcore.ports.auth import PasswordHasher
from tests.fakes import FakeHasher

pytestmark = pytest.mark.integration


@pytest.fixture(params=["argon2", "fake"])
def hasher(request: pytest.FixtureRequest) -> PasswordHasher:
    if request.param == "fake":
        return FakeHasher()
    from gigcore.adapters.passwords import Argon2PasswordHasher

    return Argon2PasswordHasher(time_cost=1, memory_kib=8_192, parallelism=1)


def test_a_hash_verifies_its_password_only(hasher):
    stored = hasher.hash("correct horse battery")
    assert stored != "correct horse battery"
    assert hasher.verify(stored, "correct horse battery") is True
    assert hasher.verify(stored, "correct horse batterY") is False


def test_garbage_never_verifies(hasher):
    assert hasher.verify("not a hash", "not a hash") is False
    assert hasher.verify("", "") is False


def test_a_hash_made_now_needs_no_rehash_and_a_foreign_one_does(hasher):
    assert hasher.needs_rehash(hasher.hash("pw")) is False
    assert hasher.needs_rehash("$2b$12$somebcrypthashfromelsewhere") is True


def test_a_dummy_check_answers_nothing(hasher):
    assert hasher.verify_dummy("anything") is None
