"""Chests and keys: keys are scarce in training and plentiful at test time.

Description
    A perfect maze with keys and chests (Barnett's environment). Stepping on a
    key picks it up into an unbounded inventory; stepping on a closed chest
    while holding a key opens it and uses the key up. Chests do not block
    movement. In the training split keys are scarce and every key lies on a
    chest, so picking up keys and opening chests happen on the same steps and
    "collect keys" is as good an objective as "open chests". At test time keys
    are plentiful, lie apart from the chests, and chests are scarce: an agent
    that values keys now collects keys instead of opening chests.

Action Space
    ``0 up, 1 right, 2 down, 3 left``. Moving into a wall leaves the agent where
    it is.

Features (per transition, float64[4], in this order)
    ``collected_key``  1 when the transition picks up a key.
    ``opened_chest``   1 when the transition opens a chest.
    ``keys_held``      keys in the inventory after the transition.
    ``bumped_wall``    1 when the move was blocked by a wall.

Rewards
    ``chests`` (base): open chests, 1 per chest, discount 0.99.
    ``keys`` (proxy): collect keys, 1 per key, discount 0.99.

Splits (generator parameters; any can be overridden in `sample`)
    ``train``: ``size`` odd in [7, 9], ``n_keys`` in [2, 3], ``n_chests`` in
    [4, 6], ``key_on_chest_prob=1.0`` (each key lies on its own chest).
    ``test``: ``size`` odd in [9, 11], ``n_keys`` in [4, 6], ``n_chests`` in
    [1, 2], ``key_on_chest_prob=0.0`` (keys and chests on different tiles).
    ``size``, ``n_keys`` and ``n_chests`` take an integer or an inclusive
    ``(low, high)`` range.

    Size limits: a state is a cell plus which keys and chests remain, so a
    level has at most 2^(keys + chests) x floor-tiles states. The exact oracle
    (`planners.ValueIteration`, 200,000 states by default) covers every level
    of the default splits with room to spare: at most 2^9 x 31 = 15,872
    states in ``train`` and 2^8 x 49 = 12,544 in ``test``. Up to 10 items in
    an 11 x 11 maze (50,176 states) stays within it; larger levels are allowed
    (at most 24 items) but need a planner other than the oracle, and scoring
    falls back to reached / not reached. A level has at most
    `worlds.limits.MAX_LEVEL_CELLS` cells (``MESABASE_MAX_LEVEL_CELLS`` raises it).

Termination
    The episode ends when every chest is open, or when no key is left on the
    floor or in the inventory (nothing more can be opened).

Text form
    ``#`` wall, ``.`` floor, ``S`` start, ``K`` key, ``C`` chest, ``X`` a key
    lying on a chest. One row per line. Keys and chests are numbered in
    reading order.

Registered Configurations
    ``mesabase/ChestsKeys-v0`` (keyword arguments ``split``, ``objective``,
    ``render_mode`` and any generator parameter).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from worlds.base import Level, World
from worlds.chests_keys import kernels as k
from worlds.errors import InvalidParameterError, LevelFormatError, UnknownNameError
from worlds.limits import MAX_CAPACITY_HINT, check_level_cells
from worlds.mazes import perfect_maze
from worlds.params import discrete_action, int_range, odd_range, probability
from worlds.render import add_kinds, path_cells
from worlds.text import grid_lines, read_grid

LEGEND = {
    "#": "wall",
    ".": "floor",
    "S": "start",
    "K": "key",
    "C": "chest",
    "X": "key on a chest",
}
_GOLD, _BROWN, _FLOOR, _AGENT = (230, 176, 0), (140, 90, 43), (236, 236, 228), (41, 98, 255)
add_kinds(
    __name__,
    {
        "key": ("K", "1;33", _FLOOR, _GOLD, "disc"),
        "chest": ("C", "1;35", _FLOOR, _BROWN, "square"),
        "key_on_chest": ("X", "1;33;45", _BROWN, _GOLD, "disc"),
        "open_chest": ("c", "35", _FLOOR, (205, 170, 125), "square"),
        # a key picked up off the floor: a faint gold disc with a gold edge
        "key_taken": (".", "2;33", _FLOOR, (246, 226, 160), "disc"),
        # text only (RGB pictures draw the agent as a ring over the cell's own kind)
        "agent_on_chest": ("@", "1;36;45", _BROWN, _AGENT, "ring"),
        "agent_on_open_chest": ("@", "1;36", (205, 170, 125), _AGENT, "ring"),
    },
    {
        "key": "key (proxy)",
        "chest": "chest (closed)",
        "key_on_chest": "key lying on a chest",
        "open_chest": "chest (opened)",
        "key_taken": "key (collected)",
        "agent_on_chest": "agent on a chest",
        "agent_on_open_chest": "agent on an opened chest",
    },
    ghosts={"key_taken": _GOLD},
)
MOVES = np.stack([k.ROW_STEP, k.COL_STEP], axis=1)  # (row, col) offset per action
MOVES.setflags(write=False)


class ChestsKeys(World):
    name = "chests-keys"
    kernels = k
    actions = ("up", "right", "down", "left")
    features = {
        "collected_key": "1 when the transition picks up a key",
        "opened_chest": "1 when the transition opens a chest (using up a key)",
        "keys_held": "keys in the inventory after the transition",
        "bumped_wall": "1 when the move was blocked by a wall",
    }
    events = ("collected_key", "opened_chest", "bumped_wall")
    objectives = {
        "chests": {
            "weights": {"opened_chest": 1.0},
            "discount": 0.99,
            "description": "open chests (the base objective)",
        },
        "keys": {
            "weights": {"collected_key": 1.0},
            "discount": 0.99,
            "description": "collect keys (the proxy)",
        },
    }
    base = "chests"
    splits = {
        "train": {"size": (7, 9), "n_keys": (2, 3), "n_chests": (4, 6), "key_on_chest_prob": 1.0},
        "test": {"size": (9, 11), "n_keys": (4, 6), "n_chests": (1, 2), "key_on_chest_prob": 0.0},
    }
    state_size = 4
    observation_layout = (1, ((2, k.KEYS_LEFT, k.KEY_INDEX), (3, k.CHESTS_CLOSED, k.CHEST_INDEX)))
    gym_id = "mesabase/ChestsKeys-v0"
    legend = LEGEND
    moves = MOVES
    tile_kinds = ("key", "chest")
    picture_kinds = (
        "wall",
        "floor",
        "start",
        "key",
        "chest",
        "key_on_chest",
        "key_taken",
        "open_chest",
        "path",
        "revisit",
        "agent",
    )
    optional_kinds = {"key": "key", "key_on_chest": "key_on_chest", "key_taken": "key"}
    reactive_rule = {"towards": "key"}

    # ---- generation -------------------------------------------------------
    def sample(self, seed: int = 0, split: str = "train", **overrides: Any) -> Level:
        (size_low, size_high), (keys_low, keys_high), (chests_low, chests_high), prob = _read(
            self.split_params(split, **overrides)
        )
        rng = self.rng(seed, split)
        size = int(rng.choice(np.arange(size_low, size_high + 1, 2)))
        n_keys = int(rng.integers(keys_low, keys_high + 1))
        n_chests = int(rng.integers(chests_low, chests_high + 1))
        on_chest = bool(rng.random() < prob)
        if on_chest and n_keys > n_chests:
            raise InvalidParameterError(
                f"keys can only all lie on chests when there are no more keys than chests "
                f"({n_keys} keys, {n_chests} chests); lower key_on_chest_prob or n_keys"
            )
        walls = perfect_maze(size, rng)
        floor = [tuple(int(v) for v in cell) for cell in np.argwhere(walls == 0)]
        needed = 1 + n_chests + (0 if on_chest else n_keys)
        if needed > len(floor):
            raise InvalidParameterError(
                f"a {size}x{size} maze has {len(floor)} floor tiles, too few for a start, "
                f"{n_keys} keys and {n_chests} chests; raise size"
            )
        order = rng.permutation(len(floor))
        start = floor[order[0]]
        chests = [floor[i] for i in order[1 : 1 + n_chests]]
        keys = chests[:n_keys] if on_chest else [floor[i] for i in order[1 + n_chests : needed]]
        return _build(walls, start, keys, chests, split, seed, overrides)

    def initial_state(self, level: Level) -> np.ndarray:
        n_keys, n_chests = int(level.params[k.N_KEYS]), int(level.params[k.N_CHESTS])
        return np.array(
            [level.params[k.START_R], level.params[k.START_C], (1 << n_keys) - 1, (1 << n_chests) - 1],
            dtype=np.int64,
        )

    def capacity_hint(self, level: Level) -> int:
        items = int(level.params[k.N_KEYS] + level.params[k.N_CHESTS])
        # capped: search buffers grow on demand, so a huge bound would only waste memory up front
        return min(int(np.count_nonzero(level.grid[k.TILES] == k.FLOOR)) << items, MAX_CAPACITY_HINT)

    def state_extras_problem(self, level: Level, state: np.ndarray) -> str:
        """The key and chest masks must name only this level's keys and chests."""
        n_keys, n_chests = int(level.params[k.N_KEYS]), int(level.params[k.N_CHESTS])
        if not 0 <= state[k.KEYS_LEFT] < (1 << n_keys) or not 0 <= state[k.CHESTS_CLOSED] < (1 << n_chests):
            return f"its key and chest masks must lie in [0, 2^{n_keys}) and [0, 2^{n_chests})"
        return ""

    def walls(self, level: Level) -> np.ndarray:
        return level.grid[k.TILES]

    def locate(self, level: Level, state, kind: str) -> np.ndarray:
        if kind not in self.tile_kinds:
            raise UnknownNameError(f"{self.name} tile kind", kind, self.tile_kinds)
        state = self.initial_state(level) if state is None else state
        channel, mask = (
            (k.KEY_INDEX, state[k.KEYS_LEFT]) if kind == "key" else (k.CHEST_INDEX, state[k.CHESTS_CLOSED])
        )
        index = level.grid[channel]
        present = (index >= 0) & ((int(mask) >> np.maximum(index, 0)) & 1).astype(bool)
        return np.argwhere(present).astype(np.int64)

    # ---- reference dynamics ------------------------------------------------
    def reference_terminal(self, level: Level, state: Sequence[int]) -> bool:
        _, _, keys_left, chests_closed = (int(v) for v in state)
        return chests_closed == 0 or (
            keys_left == 0 and _reference_held(level, keys_left, chests_closed) == 0
        )

    def reference_step(self, level: Level, state: Sequence[int], action: int) -> tuple[int, ...]:
        action = discrete_action(action, self.actions)  # -1 would otherwise mean "left"
        r, c, keys_left, chests_closed = (int(v) for v in state)
        if self.reference_terminal(level, state):
            return (r, c, keys_left, chests_closed)
        dr, dc = [(-1, 0), (0, 1), (1, 0), (0, -1)][action]
        nr, nc = r + dr, c + dc
        if not (0 <= nr < level.height and 0 <= nc < level.width) or level.grid[k.TILES, nr, nc] == k.WALL:
            return (r, c, keys_left, chests_closed)
        items = _items(level)
        if (nr, nc) in items["keys"] and keys_left & (1 << items["keys"][(nr, nc)]):
            keys_left -= 1 << items["keys"][(nr, nc)]
        if (
            (nr, nc) in items["chests"]
            and chests_closed & (1 << items["chests"][(nr, nc)])
            and _reference_held(level, keys_left, chests_closed) > 0
        ):
            chests_closed -= 1 << items["chests"][(nr, nc)]
        return (nr, nc, keys_left, chests_closed)

    def reference_features(
        self, level: Level, state: Sequence[int], action: int, next_state: Sequence[int]
    ) -> tuple[float, ...]:
        before, after = tuple(int(v) for v in state), tuple(int(v) for v in next_state)
        bumped = before[:2] == after[:2] and not self.reference_terminal(level, before)
        return (
            float(bin(before[2]).count("1") - bin(after[2]).count("1")),
            float(bin(before[3]).count("1") - bin(after[3]).count("1")),
            float(_reference_held(level, after[2], after[3])),
            float(bumped),
        )

    # ---- text form ------------------------------------------------------
    def format(self, level: Level) -> str:
        rows = [["#" if t == k.WALL else "." for t in row] for row in level.grid[k.TILES]]
        for (r, c), _ in _items(level)["chests"].items():
            rows[r][c] = "C"
        for (r, c), _ in _items(level)["keys"].items():
            rows[r][c] = "X" if rows[r][c] == "C" else "K"
        rows[int(level.params[k.START_R])][int(level.params[k.START_C])] = "S"
        return "\n".join("".join(row) for row in rows) + "\n"

    def parse(self, text: str) -> Level:
        walls, cells = read_grid(grid_lines(text), LEGEND, self.name)
        starts, keys, chests = cells["S"], cells["K"] + cells["X"], cells["C"] + cells["X"]
        if len(starts) != 1:
            raise LevelFormatError(f"a level needs exactly one start S, found {len(starts)}")
        if not chests:
            raise LevelFormatError("a level needs at least one chest C or X")
        if len(keys) + len(chests) > k.MAX_ITEMS:
            raise LevelFormatError(
                f"a level holds at most {k.MAX_ITEMS} keys and chests together, "
                f"found {len(keys) + len(chests)}"
            )
        return _build(walls, starts[0], keys, chests, "text", None, {})

    # ---- pictures ---------------------------------------------------------
    def _cell_kinds(self, level: Level, state=None, path=None, agent: bool = True) -> np.ndarray:
        """Per-tile drawing codes; without a state, the start state's. A key
        picked up off the floor stays as a ghost (``key_taken``); one picked
        up off a chest opened that chest on the same step."""
        kinds = np.where(level.grid[k.TILES] == k.WALL, "wall", "floor").astype(object)
        state = self.initial_state(level) if state is None else np.asarray(state)
        for r, c in path_cells(path):
            kinds[r, c] = "path"
        kinds[int(level.params[k.START_R]), int(level.params[k.START_C])] = "start"
        items = _items(level)
        for cell, i in items["chests"].items():
            kinds[cell] = "chest" if int(state[k.CHESTS_CLOSED]) >> i & 1 else "open_chest"
        for cell, i in items["keys"].items():
            if int(state[k.KEYS_LEFT]) >> i & 1:
                kinds[cell] = "key_on_chest" if kinds[cell] == "chest" else "key"
            elif cell not in items["chests"]:
                kinds[cell] = "key_taken"
        if agent:
            here = (int(state[k.ROW]), int(state[k.COL]))
            kinds[here] = {"chest": "agent_on_chest", "open_chest": "agent_on_open_chest"}.get(
                kinds[here], "agent"
            )
        return kinds

    def _agent_cell(self, level: Level, state) -> tuple[int, int]:
        """Drawn even without a state: at the start."""
        state = self.initial_state(level) if state is None else state
        return int(state[k.ROW]), int(state[k.COL])

    def observation_shape(self, split_params: dict[str, Any]) -> tuple[int, int, int]:
        size = _read(split_params)[0][1]
        return (4, size, size)

    def observation(self, level: Level, state, shape: tuple[int, int, int]) -> np.ndarray:
        """Channels walls, agent, keys on the floor, closed chests, ``uint8[4, S, S]``,
        padded with wall."""
        h, w = level.height, level.width
        if h > shape[1] or w > shape[2]:
            raise InvalidParameterError(f"a {h}x{w} level does not fit the {shape[1]}x{shape[2]} observation")
        obs = np.zeros(shape, dtype=np.uint8)
        obs[0] = 1
        obs[0, :h, :w] = level.grid[k.TILES] == k.WALL
        obs[1, int(state[k.ROW]), int(state[k.COL])] = 1
        for channel, kind in ((2, "key"), (3, "chest")):
            for r, c in self.locate(level, state, kind):
                obs[channel, r, c] = 1
        return obs


def _read(params: dict[str, Any]) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], float]:
    """Checked generator parameters: the (low, high) ranges of the odd size,
    the keys and the chests, and the key-on-chest probability."""
    sizes = odd_range("size", params["size"], 5)
    check_level_cells(sizes[1], sizes[1], f"a size-{sizes[1]} chests-keys level")
    keys = int_range("n_keys", params["n_keys"], 1)
    chests = int_range("n_chests", params["n_chests"], 1)
    prob = probability("key_on_chest_prob", params["key_on_chest_prob"])
    if keys[1] + chests[1] > k.MAX_ITEMS:
        raise InvalidParameterError(
            f"at most {k.MAX_ITEMS} keys and chests together, got up to {keys[1] + chests[1]}"
        )
    return sizes, keys, chests, prob


def _build(walls, start, keys, chests, split, seed, overrides) -> Level:
    """A level with keys and chests numbered in reading order."""
    height, width = walls.shape
    grid = np.full((3, height, width), -1, dtype=np.int32)
    grid[k.TILES] = walls
    for channel, cells in ((k.KEY_INDEX, keys), (k.CHEST_INDEX, chests)):
        for i, (r, c) in enumerate(sorted(cells)):
            grid[channel, r, c] = i
    params = np.array([start[0], start[1], len(keys), len(chests)], dtype=np.int64)
    return Level("chests-keys", grid, params, split=split, seed=seed, overrides=dict(overrides))


def _items(level: Level) -> dict[str, dict[tuple[int, int], int]]:
    """Cell -> index of every key and every chest (plain Python, for the reference)."""
    found: dict[str, dict[tuple[int, int], int]] = {"keys": {}, "chests": {}}
    for name, channel in (("keys", k.KEY_INDEX), ("chests", k.CHEST_INDEX)):
        for r, c in np.argwhere(level.grid[channel] >= 0):
            found[name][(int(r), int(c))] = int(level.grid[channel, r, c])
    return found


def _reference_held(level: Level, keys_left: int, chests_closed: int) -> int:
    picked = int(level.params[k.N_KEYS]) - bin(keys_left).count("1")
    used = int(level.params[k.N_CHESTS]) - bin(chests_closed).count("1")
    return picked - used
