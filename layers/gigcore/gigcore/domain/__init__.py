"""Pure domain: entities, state machines, money, ids, time. No I/O here."""
