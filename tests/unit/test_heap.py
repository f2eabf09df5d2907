"""gigcore.heap: the long-lived objects leave the collector's way after the 1st, 2nd, 4th ... 256th invocation
of a process, and every handler of the app counts its invocations."""

from __future__ import annotations

import gc

import pytest

from gigcore import heap


@pytest.fixture
def fresh_count(monkeypatch):
    monkeypatch.setattr(heap, "_invocations", 0)
    yield
    gc.unfreeze()


def test_the_heap_is_frozen_after_the_scheduled_invocations_only(fresh_count):
    frozen_after = [n for n in range(1, 600) if heap.invocation_done()]
    assert frozen_after == [1, 2, 4, 8, 16, 32, 64, 128, 256]


def test_what_exists_after_an_invocation_is_frozen_and_a_requests_cyclic_garbage_is_not(fresh_count):
    gc.unfreeze()

    class Node:
        def __init__(self) -> None:
            self.me = self

    kept = Node()
    garbage = Node()
    garbage_id = id(garbage)
    del garbage
    assert heap.invocation_done()
    assert gc.get_freeze_count() > 0
    assert all(id(o) != garbage_id for o in gc.get_objects() if isinstance(o, Node))  # collected, not frozen
    assert not any(o is kept for o in gc.get_objects())  # the permanent generation is out of the collector's lists
    assert kept.me is kept


def test_every_handler_of_the_app_counts_its_invocation(fresh_count, monkeypatch):
    import app as chalice_app

    counted: list[bool] = []
    monkeypatch.setattr(heap, "invocation_done", lambda: counted.append(True) or False)
    response = chalice_app.settle_heap({"any": "event"}, lambda event: {"handled": event})
    assert response == {"handled": {"any": "event"}} and counted == [True]
    with pytest.raises(RuntimeError):
        chalice_app.settle_heap({}, lambda event: (_ for _ in ()).throw(RuntimeError("failed")))
    assert counted == [True, True]
    for kind in ("http", "websocket", "sqs", "scheduled", "pure_lambda"):  # what Chalice runs around each kind
        assert chalice_app.settle_heap in list(chalice_app.app._get_middleware_handlers(kind))
