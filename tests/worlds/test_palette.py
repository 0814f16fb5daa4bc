"""Worlds add their cell kinds to the one shared palette through
`worlds.render.add_kinds`, which refuses a kind another world draws
differently instead of letting it repaint that world's pictures."""

import pytest

from worlds import render
from worlds.render import GHOSTS, LABELS, OWNERS, PALETTE, PaletteClashError, add_kinds

MUD = ("m", "33", (120, 90, 60), None, None)


@pytest.fixture
def restore_palette():
    saved = dict(PALETTE), dict(LABELS), dict(OWNERS), dict(GHOSTS)
    yield
    for table, before in zip((PALETTE, LABELS, OWNERS, GHOSTS), saved, strict=True):
        table.clear()
        table.update(before)


def test_the_built_in_worlds_own_their_kinds():
    import worlds  # noqa: F401  (loads every world)

    assert OWNERS["wall"] == "worlds.render"
    assert OWNERS["key"] == "worlds.chests_keys.world"
    assert OWNERS["dirt"] == "worlds.cleaning.world"
    assert GHOSTS["key_taken"] == PALETTE["key"][3]


def test_a_new_kind_is_drawn_and_labelled(restore_palette):
    add_kinds("swamp.world", {"mud": MUD}, {"mud": "mud (slows the agent)"})
    assert PALETTE["mud"] == MUD and LABELS["mud"] == "mud (slows the agent)"
    assert render.ansi_cells([["mud", "wall"]], color=False) == "m#\n"


def test_the_same_kind_drawn_the_same_way_may_be_added_again(restore_palette):
    add_kinds("swamp.world", {"mud": MUD}, {"mud": "mud"})
    add_kinds("bog.world", {"mud": MUD}, {"mud": "mud"})  # identical: no clash
    add_kinds(
        "swamp.world", {"mud": MUD[:2] + ((1, 2, 3),) + MUD[3:]}, {"mud": "mud"}
    )  # its owner may redraw it
    assert OWNERS["mud"] == "swamp.world" and PALETTE["mud"][2] == (1, 2, 3)


def test_a_kind_drawn_differently_by_another_world_is_refused(restore_palette):
    wall_before = PALETTE["wall"]
    with pytest.raises(
        PaletteClashError, match=r"'wall' is already drawn differently by worlds.render.*'wall_swamp'"
    ):
        add_kinds("swamp.world", {"wall": ("W", "31", (0, 0, 0), None, None)}, {"wall": "wall"})
    assert PALETTE["wall"] == wall_before


@pytest.mark.parametrize(
    ("entry", "labels", "message"),
    [
        (MUD, {}, "has no label"),
        (("mm", *MUD[1:]), {"mud": "mud"}, "one character"),
        (("m", "33", (300, 0, 0), None, None), {"mud": "mud"}, "0..255"),
        (("m", "33", (1, 2, 3), (4, 5, 6), "star"), {"mud": "mud"}, "unknown mark shape 'star'"),
        (("m", "33", (1, 2, 3), (4, 5, 6), None), {"mud": "mud"}, "both its colour and its shape"),
        (("m", "33", (1, 2, 3)), {"mud": "mud"}, "expected"),
    ],
)
def test_a_malformed_kind_is_refused_with_what_is_wrong(restore_palette, entry, labels, message):
    with pytest.raises(PaletteClashError, match=message):
        add_kinds("swamp.world", {"mud": entry}, labels)
    assert "mud" not in PALETTE


def test_a_ghost_must_be_one_of_the_kinds_added(restore_palette):
    with pytest.raises(PaletteClashError, match="ghost kind 'puddle'"):
        add_kinds("swamp.world", {"mud": MUD}, {"mud": "mud"}, ghosts={"puddle": (1, 2, 3)})
