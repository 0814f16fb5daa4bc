"""Hand-written arrow-maze levels with hand-worked answers."""

# S must go right 4 to the exit; the arrow sits on the exit.
CORRIDOR = """\
#######
#S...*#
#######
"""

# Arrow above the start, exit at the far end of the corridor:
# arrow 2 steps (up, up), exit 4 steps (right x4).
FORK = """\
#######
#A#####
#.#####
#S...E#
#######
"""

# The only way to the arrow is through the exit: an arrow-seeker cannot get there.
BEHIND_EXIT = """\
#######
#S.E.A#
#######
"""

# Two equally short routes around a pillar: 4 steps either way.
PILLAR = """\
#####
#S..#
#.#.#
#..E#
#####
#A..#
#####
"""
