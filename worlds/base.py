"""The world contract: what every world provides, in one short file.

A *world* is a family of levels with named actions, named per-transition
features, an objective catalogue and named splits. A *level* is one immutable
bundle of arrays. Planners never see a `World` object inside their hot loops:
they call the numba kernels in `worlds.dispatch` with the world's integer id
and the level's two arrays, like mctx's `recurrent_fn` with its `params`.

Array layout shared by every discrete world (the dispatch kernels rely on it):

- ``level.grid``: ``int32[C, H, W]``, read-only. Channel 0 holds the tile codes;
  the other channels are world-specific (precomputed distances, item ids, ...).
- ``level.params``: ``int64[P]``, read-only: world-specific scalars such as the
  exit's row and column.
- a *state*: ``int64[world.state_size]``.
- a *feature vector*: ``float64[len(world.features)]``, in `world.features` order.
"""

from __future__ import annotations

import dataclasses
import reprlib
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from worlds.errors import InvalidParameterError, UnknownNameError
from worlds.params import is_int
from worlds.render import GHOSTS, LABELS, PALETTE, ansi_cells, legend_swatch, paint_cells, path_cells


def _frozen(array: np.ndarray, dtype) -> np.ndarray:
    out = np.array(array, dtype=dtype, copy=True, order="C")
    out.setflags(write=False)
    return out


@dataclasses.dataclass(frozen=True, eq=False)
class Level:
    """One level of a world: its arrays plus where it came from.

    Two levels are equal when their world and arrays are equal; `split`, `seed`
    and `overrides` record provenance only (a level parsed from text has
    ``split="text"`` and ``seed=None``).
    """

    world: str
    grid: np.ndarray  # int32[C, H, W], read-only
    params: np.ndarray  # int64[P], read-only
    split: str = "text"
    seed: int | None = None
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grid", _frozen(self.grid, np.int32))
        object.__setattr__(self, "params", _frozen(self.params, np.int64))
        if self.grid.ndim != 3:
            raise ValueError(f"level grid must be int32[C, H, W], got shape {self.grid.shape}")

    @property
    def height(self) -> int:
        return self.grid.shape[1]

    @property
    def width(self) -> int:
        return self.grid.shape[2]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return (
            self.world == other.world
            and np.array_equal(self.grid, other.grid)
            and np.array_equal(self.params, other.params)
        )

    def __hash__(self) -> int:
        return hash((self.world, self.grid.tobytes(), self.params.tobytes()))

    def __repr__(self) -> str:
        return f"Level({self.world!r}, {self.height}x{self.width}, split={self.split!r}, seed={self.seed!r})"


@dataclasses.dataclass(frozen=True)
class GridNavigation:
    """A level whose states are the open cells of a grid, where each action
    moves by a fixed offset unless a wall or the edge is in the way.

    A world offers this when it is true of a level, so that planners may use a
    kernel specialised to grids; the generic kernels give the same answers.

    Attributes:
        walls: int32[H, W], non-zero where a cell cannot be entered (a view).
        moves: int64[A, 2], the (row, col) offset of each action, taken from
            the world's own kernel so that both always agree.
        event_tiles: feature name -> (row, col): the event feature fires on
            exactly the transitions that enter that cell, and on no others.
        terminal_tiles: the cells where the world's episode ends.
    """

    walls: np.ndarray
    moves: np.ndarray
    event_tiles: dict[str, tuple[int, int]]
    terminal_tiles: tuple[tuple[int, int], ...]


class World:
    """The world contract, and the base class of the discrete worlds.

    Subclasses set the class attributes below and implement the generator,
    the text form, rendering and the plain-Python reference dynamics.
    Continuous worlds build on `worlds.continuous.ContinuousWorld`, which adds
    their arrays and JAX dynamics. `worlds.registry.register` gives each world
    its integer `world_id` (its place in the registry) after checking its
    kernels against what it declares; planners then reach the kernels through
    `worlds.dispatch` with that id.
    """

    name: ClassVar[str]
    #: the world's numba kernels module: ``N_ACTIONS``, ``N_FEATURES`` and
    #: ``step``, ``features``, ``terminal``, ``key``, ``key_bound``,
    #: ``heuristic`` with the signatures documented in `worlds.dispatch`
    kernels: ClassVar[Any]
    #: set by `worlds.registry.register`: the world's place in the registry
    world_id: int = -1
    actions: ClassVar[tuple[str, ...]]
    #: feature name -> one-line description, in kernel order.
    features: ClassVar[Mapping[str, str]]
    #: features that are 0/1 events; an episode records whether each fired.
    events: ClassVar[tuple[str, ...]]
    #: objective name -> plain data for `objectives.Objective(**spec)`, plus
    #: a "description". Data, so that `worlds` needs nothing from `objectives`.
    objectives: ClassVar[Mapping[str, Mapping[str, Any]]]
    base: ClassVar[str]
    #: split name -> generator parameters.
    splits: ClassVar[Mapping[str, Mapping[str, Any]]]
    state_size: ClassVar[int]
    gym_id: ClassVar[str]
    #: the Gymnasium env class, as ``module:Class`` for `gymnasium.register`
    gym_entry_point: ClassVar[str] = "worlds.gym_env:GridWorldEnv"
    #: int64[A, 2]: the (row, col) offset of each movement action (the first A
    #: actions); taken from the world's kernel constants so both agree.
    moves: ClassVar[np.ndarray]
    #: tile kinds that `locate` finds, e.g. ``("key", "chest")``.
    tile_kinds: ClassVar[tuple[str, ...]] = ()
    #: what `planners.Reactive()` does here by default: ``{"towards": kind}``
    #: plus, optionally, ``"then": action`` to take on arriving.
    reactive_rule: ClassVar[Mapping[str, str]] = {}
    #: True for worlds with continuous states and actions (`PointMass`)
    continuous: ClassVar[bool] = False
    #: size of a continuous action vector (0: actions are indices)
    action_size: ClassVar[int] = 0
    #: how `observation` follows from the state, so that the vector env
    #: (`worlds.vector_env`) updates it inside its step kernel: ``(agent
    #: channel, items)``, where the agent channel holds a one at (state[0],
    #: state[1]) and each item is ``(observation channel, state word, grid
    #: channel)``: a cell shows the item while the grid channel holds its index
    #: i >= 0 and bit i of that state word is set. Every other channel must
    #: never change within an episode. None: the vector env calls `observation`
    #: for every row after every step, in Python. `mesabase check-world`
    #: checks a declared layout against `observation`.
    observation_layout: ClassVar[tuple[int, tuple[tuple[int, int, int], ...]] | None] = None

    # ---- levels -------------------------------------------------------
    def split_params(self, split: str, **overrides: Any) -> dict[str, Any]:
        """The generator parameters of `split` with `overrides` applied."""
        if split not in self.splits:
            raise UnknownNameError("split", split, self.splits)
        params = dict(self.splits[split])
        unknown = set(overrides) - set(params)
        if unknown:
            raise InvalidParameterError(
                f"unknown {self.name} generator parameter(s) {sorted(unknown)}; "
                f"valid: {', '.join(sorted(params))}"
            )
        params.update(overrides)
        return params

    def rng(self, seed: int, split: str) -> np.random.Generator:
        """The generator behind `sample`: one stream per (seed, split)."""
        if not is_int(seed) or seed < 0:
            raise InvalidParameterError(f"seed must be a non-negative integer, got {seed!r}")
        return np.random.default_rng([int(seed), zlib.crc32(split.encode())])

    def sample(self, seed: int = 0, split: str = "train", **overrides: Any) -> Level:
        """The level for `seed` in `split`; the same call returns the same level."""
        raise NotImplementedError

    def initial_state(self, level: Level) -> np.ndarray:
        """The start state, ``int64[state_size]``."""
        raise NotImplementedError

    # ---- reference dynamics (plain Python, slow, obviously correct) ------
    def reference_step(self, level: Level, state: Sequence[int], action: int) -> tuple[int, ...]:
        raise NotImplementedError

    def reference_features(
        self, level: Level, state: Sequence[int], action: int, next_state: Sequence[int]
    ) -> tuple[float, ...]:
        raise NotImplementedError

    def reference_terminal(self, level: Level, state: Sequence[int]) -> bool:
        raise NotImplementedError

    # ---- text form and pictures -----------------------------------------
    legend: ClassVar[Mapping[str, str]]

    def parse(self, text: str) -> Level:
        raise NotImplementedError

    def format(self, level: Level) -> str:
        raise NotImplementedError

    #: every kind (a `worlds.render.PALETTE` name) that this world's RGB
    #: pictures draw, in legend reading order; markers "path", "revisit" and
    #: "agent" included
    picture_kinds: ClassVar[tuple[str, ...]] = ()
    #: those of `picture_kinds` that only some levels have (e.g. a bin), each
    #: with the kind whose presence in a level's initial picture implies it
    #: (a collected key needs keys on the floor): a level's legend lists them
    #: only then
    optional_kinds: ClassVar[Mapping[str, str]] = {}

    def _cell_kinds(self, level: Level, state=None, path=None, agent: bool = True) -> np.ndarray:
        """``object[H, W]`` cell kinds (names in `worlds.render.PALETTE`) of
        `level` in `state`, with `path` (a sequence of states) marked; with
        ``agent=False`` each cell keeps its own kind where the agent stands
        (the RGB pictures draw the agent as a ring on top)."""
        raise NotImplementedError

    def _agent_cell(self, level: Level, state) -> tuple[int, int] | None:
        """The (row, col) where pictures draw the agent: `state`'s, or none without a state."""
        return None if state is None else (int(state[0]), int(state[1]))

    def render_ansi(self, level: Level, state=None, path=None, color: bool = True) -> str:
        """The level as text with ANSI colours; `path` is a sequence of states.
        Glyphs: `text_legend`."""
        kinds = self._cell_kinds(level, state, path)
        for cell in path_cells(path):
            if kinds[cell] in GHOSTS:  # one glyph per cell: the path wins over a ghost
                kinds[cell] = "path"
        return ansi_cells(kinds, color=color)

    def render_rgb(self, level: Level, state=None, path=None, cell: int = 16) -> np.ndarray:
        """The level as ``uint8[H * cell, W * cell, 3]``: cells, then the path
        coloured by time with revisits dotted, then the agent as a ring (see
        `worlds.render`); `legend_entries` names every colour and marker."""
        kinds = self._cell_kinds(level, state, path, agent=False)
        return paint_cells(kinds, cell, path=path_cells(path), agent=self._agent_cell(level, state))

    def legend_kinds(self, level: Level | None = None) -> tuple[str, ...]:
        """The kinds `legend_entries` lists: `picture_kinds`, less the
        `optional_kinds` that `level`'s initial picture lacks."""
        if level is None:
            return tuple(self.picture_kinds)
        present = set(self._cell_kinds(level, agent=False).ravel())
        needs = self.optional_kinds
        return tuple(kind for kind in self.picture_kinds if kind not in needs or needs[kind] in present)

    def legend_entries(self, level: Level | None = None) -> list[tuple[str, np.ndarray]]:
        """(label, swatch ``uint8[24, 24, 3]``) for every colour and marker this
        world's pictures use (of `level`'s, when given), in reading order."""
        return [(LABELS[kind], legend_swatch(kind, 24)) for kind in self.legend_kinds(level)]

    def text_legend(self) -> dict[str, str]:
        """Glyph -> meaning for `render_ansi`'s text pictures, e.g. ``"o": "path"``.
        A glyph with two meanings lists both (a collected key reads as ``.``,
        or as ``o`` where the path ran); revisits have no glyph."""
        out: dict[str, str] = {}
        for kind in self.picture_kinds:
            if kind == "revisit":
                continue
            glyph = PALETTE[kind][0]
            label = {"path": "path", "agent": "agent"}.get(kind, LABELS[kind])
            out[glyph] = f"{out[glyph]} or {label}" if glyph in out else label
        return out

    # ---- Gymnasium observations -------------------------------------------
    def observation_shape(self, split_params: dict[str, Any]) -> tuple[int, ...]:
        """Shape of `observation` for levels generated with `split_params`."""
        raise NotImplementedError

    def observation(self, level: Level, state, shape: tuple[int, ...]) -> np.ndarray:
        """The agent's view of `state`, ``uint8[shape]``."""
        raise NotImplementedError

    # ---- helpers shared by all worlds ------------------------------------
    def feature_index(self, name: str) -> int:
        """Position of feature `name` in the feature vector."""
        try:
            return list(self.features).index(name)
        except ValueError:
            raise UnknownNameError(f"{self.name} feature", name, self.features) from None

    def action_index(self, name: str) -> int:
        try:
            return self.actions.index(name)
        except ValueError:
            raise UnknownNameError(f"{self.name} action", name, self.actions) from None

    def check_state(self, level: Level, state) -> np.ndarray:
        """`state` as ``int64[state_size]`` after checking that the kernels can
        take it in `level`: integers, the right length, a position on the grid
        and off the walls, and whatever `state_extras_problem` checks. Raises
        `InvalidParameterError` naming the problem, so no kernel ever indexes
        outside its arrays."""
        values = np.asarray(state)
        if values.shape != (self.state_size,) or values.dtype.kind not in "iu":
            raise InvalidParameterError(
                f"a {self.name} state is {self.state_size} integers, got {reprlib.repr(state)}"
            )
        values = values.astype(np.int64)
        row, col = int(values[0]), int(values[1])
        walls = self.walls(level)
        if not (0 <= row < walls.shape[0] and 0 <= col < walls.shape[1]) or walls[row, col]:
            raise InvalidParameterError(
                f"state {values.tolist()}: ({row}, {col}) is not a floor cell of {level!r}"
            )
        problem = self.state_extras_problem(level, values)
        if problem:
            raise InvalidParameterError(f"state {values.tolist()}: {problem}")
        return values

    def state_extras_problem(self, level: Level, state: np.ndarray) -> str:
        """What is wrong with the parts of `state` beyond its position (an
        empty string when nothing is); worlds whose states carry more override it."""
        return ""

    def kernel_state(self, state) -> np.ndarray:
        """`state` as the ``int64[state_size]`` the `worlds.dispatch` kernels take."""
        return np.asarray(state, dtype=np.int64)

    def state_from_kernel(self, words) -> np.ndarray:
        """The inverse of `kernel_state`."""
        return np.asarray(words, dtype=np.int64)

    def default_max_steps(self, level: Level) -> int:
        """The episode length `planners.rollout` uses unless told otherwise."""
        return 4 * level.height * level.width

    def capacity_hint(self, level: Level) -> int:
        """A guess at the number of reachable states, to size search buffers."""
        return int(level.grid.shape[1] * level.grid.shape[2])

    def walls(self, level: Level) -> np.ndarray:
        """int32[H, W], non-zero where the agent cannot go (a read-only view)."""
        raise NotImplementedError

    def locate(self, level: Level, state, kind: str) -> np.ndarray:
        """The cells holding a tile of `kind` in `state` (default: the start
        state; keys not yet picked up, dirt not yet swept, ...), as
        ``int64[N, 2]`` rows of (row, col)."""
        raise NotImplementedError

    def start_cell(self, level: Level) -> tuple[int, int]:
        """The (row, col) where the agent starts."""
        row, col = self.initial_state(level)[:2]
        return int(row), int(col)

    def distance(self, level: Level, kind: str, cell: tuple[int, int] | None = None) -> int:
        """Steps from `cell` (default: the start) to the nearest tile of
        `kind` (see `locate`) when walls are all that stand in the way, or -1
        when none is reachable. Breadth-first over `walls` and `moves`."""
        targets = {tuple(int(v) for v in rc) for rc in self.locate(level, None, kind)}
        if not targets:
            return -1
        walls = self.walls(level)
        start = self.start_cell(level) if cell is None else (int(cell[0]), int(cell[1]))
        seen, frontier, steps = {start}, [start], 0
        while frontier:
            if any(c in targets for c in frontier):
                return steps
            steps += 1
            following = []
            for row, col in frontier:
                for d_row, d_col in self.moves:
                    nxt = (row + int(d_row), col + int(d_col))
                    inside = 0 <= nxt[0] < walls.shape[0] and 0 <= nxt[1] < walls.shape[1]
                    if inside and not walls[nxt] and nxt not in seen:
                        seen.add(nxt)
                        following.append(nxt)
            frontier = following
        return -1

    def navigation(self, level: Level) -> GridNavigation | None:
        """The level as plain grid navigation, or None when its states carry
        more than a position (inventories, dirt, ...)."""
        return None

    def to_networkx(self, level: Level, *, reference: bool = False):
        """The reachable state graph as an action-labelled ``networkx.DiGraph``.

        Nodes are state tuples; each edge carries ``action`` (an index) and
        ``features`` (the transition's feature tuple) of the lowest action that
        makes it, and ``transitions``, the ``(action, features)`` pairs of every
        action that makes it (several moves may leave a state unchanged: bumping
        a wall, sweeping clean floor). Moves that leave the state unchanged are
        self-loop edges, since they may fire features (a sweep, a bump) that an
        objective rewards or ends on. Terminal states have no outgoing edges.

        Built in bulk from the world's numba kernels (`worlds.graph`).
        ``reference=True`` builds the same graph, in the same node and edge
        order, with the plain-Python reference dynamics instead (tens of
        times slower: about 40x on a 201x201 maze), so that it can serve as
        a test oracle for the kernels and planners that shares no code with them.
        """
        if reference:
            return self._reference_graph(level)
        from worlds.graph import state_graph

        return state_graph(self, level)

    def _reference_graph(self, level: Level):
        """`to_networkx` by the reference dynamics, one state at a time."""
        import networkx as nx

        graph = nx.DiGraph()
        start = tuple(int(v) for v in self.initial_state(level))
        graph.add_node(start)
        frontier = [start]
        while frontier:
            state = frontier.pop()
            if self.reference_terminal(level, state):
                continue
            for action in range(len(self.actions)):
                nxt = self.reference_step(level, state, action)
                feats = self.reference_features(level, state, action, nxt)
                if graph.has_edge(state, nxt):
                    graph.edges[state, nxt]["transitions"] += ((action, feats),)
                    continue
                if nxt not in graph:
                    graph.add_node(nxt)
                    frontier.append(nxt)
                graph.add_edge(state, nxt, action=action, features=feats, transitions=((action, feats),))
        return graph

    def __repr__(self) -> str:
        return f"<world {self.name}>"
