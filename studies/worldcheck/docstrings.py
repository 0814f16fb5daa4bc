"""The world's module docstring: the sections of STYLE.md item 11
(Minigrid's environment sections, plus Features and Splits), each naming what
the world declares."""

from __future__ import annotations

import re
import sys

from studies.worldcheck.core import CheckFailed, Settings, register
from worlds import World

#: STYLE.md item 11: Minigrid's environment sections, plus Features and Splits
DOCSTRING_SECTIONS = (
    "Description",
    "Action Space",
    "Rewards",
    "Termination",
    "Registered Configurations",
    "Features",
    "Splits",
)


def docstring_sections(world: World) -> dict[str, str]:
    """Section title -> body of the docstring of the module that defines
    `world`'s class. A title is a line that starts in the first column (after
    the one-line summary); its body is the indented lines below it."""
    text = sys.modules[type(world).__module__].__doc__ or ""
    sections: dict[str, str] = {}
    title = None
    for line in text.splitlines()[1:]:
        if line and not line[0].isspace():
            title = line.strip()
            sections[title] = ""
        elif title is not None:
            sections[title] += line.strip() + "\n"
    return sections


def section(sections: dict[str, str], name: str) -> str | None:
    """The body of the section titled `name` (a title may go on, as in
    ``Features (per transition, ...)``), or None when there is none."""
    for title, body in sections.items():
        if re.match(rf"{re.escape(name)}\b", title):
            return body
    return None


@register("docstring", "the world's module docstring has the STYLE.md sections, naming what it declares")
def docstring(world: World, settings: Settings) -> str:
    module = type(world).__module__
    sections = docstring_sections(world)
    missing = [title for title in DOCSTRING_SECTIONS if section(sections, title) is None]
    if missing:
        raise CheckFailed(f"the docstring of {module} lacks the section(s) {', '.join(missing)}")
    for title, declared in (
        ("Features", world.features),
        ("Rewards", world.objectives),
        ("Splits", world.splits),
        ("Registered Configurations", [world.gym_id]),
    ):
        body = section(sections, title)
        unnamed = [item for item in declared if item not in body]
        if unnamed:
            raise CheckFailed(f"the {title} section of {module} does not name {', '.join(unnamed)}")
    return f"{module}: {len(DOCSTRING_SECTIONS)} sections, naming every feature, objective and split"
