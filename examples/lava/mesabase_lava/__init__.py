"""mesabase-lava: a plugin world for mesabase (see ``world.py``)."""

# mesabase first: importing it imports and registers this package's world, so
# `import mesabase_lava.world` before `import worlds` still finds it registered
import worlds  # noqa: F401
