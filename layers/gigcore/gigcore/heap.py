"""The process's long-lived objects kept out of the garbage collector's way.

A warm function holds a few hundred thousand objects that live as long as it does: modules, botocore's service
models, pydantic's schemas, the clients and caches built on the first requests. CPython's cyclic collector walks
all of them at every full collection, which the allocations of ordinary requests trigger every few hundred
requests: about a quarter of a second each, a millisecond a request on average (bench/api, docs/geo.md "fourth
pass"). :func:`invocation_done` moves what exists after an invocation into the permanent generation
(``gc.freeze()``), after the 1st, 2nd, 4th ... 256th invocations of the process: the objects of code paths first
run later are frozen too, and the schedule stops before freezing could hold on to much garbage. A young
collection first clears the request's own cyclic garbage; what a frozen object still points to when it is
dropped is freed by reference counting as always (only cycles among frozen objects would stay).
"""

from __future__ import annotations

import gc

#: The last invocation after which the heap is frozen (the schedule is the powers of two up to it).
LAST_FREEZE = 256

_invocations = 0


def invocation_done() -> bool:
    """Count an invocation of this process; freeze the heap when it is one of the schedule's. Whether it did."""
    global _invocations
    _invocations += 1
    count = _invocations
    if count > LAST_FREEZE or count & (count - 1):
        return False
    gc.collect(1)
    gc.freeze()
    return True
