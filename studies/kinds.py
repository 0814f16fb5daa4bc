"""The built-in study kinds. Importing this module registers each of them in
`studies.core.kinds` (the package face imports it). A new kind is a new
module that calls `studies.core.kinds.register_kind`, plus one line here.
"""

from studies.analysis import study as analysis
from studies.episodes import study as episodes
from studies.learning import study as learning

#: the modules that register the built-in kinds
BUILTIN_KIND_MODULES = (episodes, learning, analysis)
