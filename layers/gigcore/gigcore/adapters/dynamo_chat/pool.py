"""What the chat adapters share in a process (a Lambda instance)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

#: The threads of chat's parallel writes and reads: creating a pool per call costs more than it saves.
POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="gigconnect-dynamo")
#: How many conversations' participants, or connections' owners, an instance remembers (neither ever changes).
CACHE_SIZE = 10_000
