"""Unbounded grid A* that jumps along corridors.

A corridor cell (exactly two open neighbours, not a target tile, not the
start) has one way on, so the search need not stop there: from each expanded
cell it walks every corridor to its far end in one successor, at the cost of
its length. It is A* on the grid with its corridors contracted on the fly:
same heuristic (Manhattan, consistent across a jump by the triangle
inequality), same optimal path lengths; dead ends that are not targets are
never queued. It counts an expansion per junction, so it serves unbounded
searches only; budgeted ones keep the cell-by-cell kernel, whose budget
semantics the agents rely on.

Buffers and codes are those of `planners.grid_astar_kernel`; ``cell_degree``
(uint8[H * W], from `mark_degrees`) holds each open cell's number of open
neighbours.
"""

from __future__ import annotations

from planners.astar_kernel import EXPANSIONS, FOUND, GENERATED, NO_PATH, OUT_OF_MEMORY, PUSHES
from planners.grid_astar_kernel import (
    GOAL,
    MARK,
    PRUNED,
    UNSEEN,
    WALL,
    _nearest_goal,
    finish,
    first_goal,
    mark_targets,
)
from worlds.jit import kernel


@kernel
def mark_degrees(walls, moves, cell_degree):
    """Fill cell_degree (uint8[H * W]) with each open cell's open neighbours."""
    height, width = walls.shape
    for r in range(height):
        for c in range(width):
            count = 0
            for a in range(moves.shape[0]):
                nr, nc = r + moves[a, 0], c + moves[a, 1]
                if 0 <= nr < height and 0 <= nc < width and walls[nr, nc] == 0:
                    count += 1
            cell_degree[r * width + c] = count


@kernel
def _open_step(cell_code, height, width, moves, r, c, action):
    """The cell one `action` away from (r, c), or -1 beyond the edge or in a wall."""
    nr, nc = r + moves[action, 0], c + moves[action, 1]
    if nr < 0 or nr >= height or nc < 0 or nc >= width:
        return -1
    cell = nr * width + nc
    return -1 if cell_code[cell] == MARK + WALL else cell


@kernel
def _is_corridor(cell_code, cell_degree, start, cell):
    return cell_degree[cell] == 2 and cell != start and cell_code[cell] >= MARK + 4


@kernel
def corridor_astar_search(
    height, width, moves, reverse, start_r, start_c, targets,
    cell_code, cell_degree, head, entry_node, entry_next, actions_out, stats,
):  # fmt: skip
    """Like `planners.grid_astar_kernel.grid_astar_search` without a budget;
    returns ``(status, length)``, the plan in ``actions_out[:length]``."""
    expansions = generated = pushes = 0
    n_goals, goal_r, goal_c = first_goal(targets)
    if n_goals == 0:
        return NO_PATH, 0
    mark_targets(targets, width, cell_code, False)
    start = start_r * width + start_c
    cell_code[start] = 0
    low = abs(start_r - goal_r) + abs(start_c - goal_c)
    if n_goals > 1:
        low = _nearest_goal(targets, start_r, start_c, low)
    high, used = low, 0
    status = NO_PATH
    best_goal, best_goal_g, best_goal_move = -1, 1 << 62, 0
    if high >= head.shape[0] or entry_node.shape[0] < 1:
        status = OUT_OF_MEMORY
    else:
        head[low], entry_node[0], entry_next[0], used = 0, start, -1, 1

    while status != OUT_OF_MEMORY:
        while low <= high and head[low] < 0:
            low += 1
        if low > high:
            if best_goal >= 0:
                status = FOUND
            break
        entry = head[low]
        top = entry_node[entry]
        code = cell_code[top]
        r = top // width
        c = top - r * width
        h = abs(r - goal_r) + abs(c - goal_c)
        if n_goals > 1:
            h = _nearest_goal(targets, r, c, h)
        if code < 0 or (code >> 2) + h != low:
            head[low] = entry_next[entry]
            continue
        if best_goal_g <= low:
            status = FOUND
            break
        head[low] = entry_next[entry]
        cell_code[top] = -1 - code
        expansions += 1
        g = code >> 2
        back = reverse[code & 3] if top != start else -1
        for action in range(moves.shape[0]):
            if action == back:
                continue
            cell = _open_step(cell_code, height, width, moves, r, c, action)
            if cell < 0:
                continue
            # walk the corridor to its far end
            steps, move, here = 1, action, cell
            while _is_corridor(cell_code, cell_degree, start, here):
                hr = here // width
                hc = here - hr * width
                came_back = reverse[move]
                for a in range(moves.shape[0]):
                    if a != came_back:
                        nxt = _open_step(cell_code, height, width, moves, hr, hc, a)
                        if nxt >= 0:
                            move, here = a, nxt
                            break
                steps += 1
            g_next = g + steps
            known = cell_code[here]
            if known < MARK + 4:  # a target tile (walls are never entered)
                if known == MARK + PRUNED:
                    continue
                generated += 1
                if known == MARK + GOAL and g_next < best_goal_g:
                    best_goal, best_goal_g, best_goal_move = here, g_next, move
                continue
            if here == start or (cell_degree[here] == 1 and known == UNSEEN):
                continue  # back at the start, or a dead end that leads nowhere
            generated += 1
            if known < 0 or g_next >= (known >> 2):
                continue
            hr = here // width
            hc = here - hr * width
            h = abs(hr - goal_r) + abs(hc - goal_c)
            if n_goals > 1:
                h = _nearest_goal(targets, hr, hc, h)
            f = g_next + h
            if f >= head.shape[0] or used >= entry_node.shape[0]:
                status = OUT_OF_MEMORY
                break
            cell_code[here] = 4 * g_next + move
            while high < f:
                high += 1
                head[high] = -1
            entry_node[used], entry_next[used], head[f] = here, head[f], used
            used += 1
            pushes += 1
    stats[EXPANSIONS], stats[GENERATED], stats[PUSHES] = expansions, generated, pushes

    length = 0
    if status == FOUND:
        length = _trace(
            cell_code, cell_degree, height, width, moves, start, best_goal, best_goal_move, actions_out
        )
    finish(cell_code, targets, width, start, entry_node, used, actions_out, length)
    return status, length


@kernel
def _trace(cell_code, cell_degree, height, width, moves, start, cell, move, out):
    """Write the moves from `start` to `cell` (entered by `move`), last first;
    returns their count. Corridors are walked back cell by cell."""
    n = 0
    while True:
        out[n] = move
        n += 1
        prev = cell - (moves[move, 0] * width + moves[move, 1])
        if prev == start:
            return n
        if _is_corridor(cell_code, cell_degree, start, prev):
            # the move that entered `prev` came from its other open neighbour
            pr = prev // width
            pc = prev - pr * width
            for a in range(moves.shape[0]):
                other = _open_step(cell_code, height, width, moves, pr, pc, a)
                if other >= 0 and other != cell:
                    # stepping from `other` to `prev` is the reverse of `a`
                    for b in range(moves.shape[0]):
                        if moves[b, 0] == -moves[a, 0] and moves[b, 1] == -moves[a, 1]:
                            move = b
                    break
        else:
            code = cell_code[prev]
            move = (code if code >= 0 else -1 - code) & 3
        cell = prev
