"""What the world-contract tests are parametrised over: the registered worlds
and their splits. The checks themselves are the installed suite,
`studies.worldcheck` (also ``mesabase check-world NAME``).

Everything here is generic: a world registered in `worlds.registry`, built-in
or plugin, is picked up with no test edit.
"""

from __future__ import annotations

import worlds

WORLDS = worlds.names()
WORLD_SPLITS = [(name, split) for name in WORLDS for split in worlds.get(name).splits]
DISCRETE_WORLD_SPLITS = [(name, split) for name, split in WORLD_SPLITS if not worlds.get(name).continuous]
CONTINUOUS_WORLD_SPLITS = [(name, split) for name, split in WORLD_SPLITS if worlds.get(name).continuous]
