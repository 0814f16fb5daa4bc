"""A bucket priority queue over integer priorities for numba search kernels.

A* here costs 1 per step and rounds its heuristic up to a whole number of
steps (still admissible, since step counts are whole), so every f is an
integer and a queue of buckets indexed by f replaces a binary heap: push and
pop are O(1) instead of O(log n). Each bucket is a stack threaded through the
entry arrays, so ties on f go to the most recently pushed node, the deepest.

Buffers: ``head`` int64[B] (the top entry of each bucket, -1 when empty),
``entry_node``/``entry_next`` int64[E] and ``cursor`` int64[3] holding the
lowest bucket that may be non-empty, the highest bucket initialised so far and
the number of entries used. Entries are never reused within one search; stale
ones (a node pushed again with a better priority) are skipped by the caller.
"""

from __future__ import annotations

from worlds.jit import kernel

LOW, HIGH, USED = 0, 1, 2


@kernel
def queue_clear(cursor):
    cursor[LOW], cursor[HIGH], cursor[USED] = 0, -1, 0


@kernel
def queue_push(head, entry_node, entry_next, cursor, priority, node):
    """Push `node` with integer `priority`; False when the buffers are full."""
    if priority < 0 or priority >= head.shape[0] or cursor[USED] >= entry_node.shape[0]:
        return False
    # buckets are initialised lazily, so a search pays only for the range of f it reaches
    while cursor[HIGH] < priority:
        cursor[HIGH] += 1
        head[cursor[HIGH]] = -1
    entry = cursor[USED]
    cursor[USED] += 1
    entry_node[entry] = node
    entry_next[entry] = head[priority]
    head[priority] = entry
    if priority < cursor[LOW]:
        cursor[LOW] = priority  # only an inconsistent heuristic lowers f
    return True


@kernel
def queue_peek(head, cursor):
    """The lowest non-empty bucket, or -1 when the queue is empty."""
    while cursor[LOW] <= cursor[HIGH] and head[cursor[LOW]] < 0:
        cursor[LOW] += 1
    return cursor[LOW] if cursor[LOW] <= cursor[HIGH] else -1


@kernel
def queue_top(head, entry_node, bucket):
    """The top node of the non-empty `bucket`, left in place."""
    return entry_node[head[bucket]]


@kernel
def queue_pop(head, entry_node, entry_next, bucket):
    """Remove and return the top node of the non-empty `bucket`."""
    entry = head[bucket]
    head[bucket] = entry_next[entry]
    return entry_node[entry]
