"""The keyboard's server side: the `?` key map's open state and the `:` kind switcher's commands."""

from __future__ import annotations

import re
from collections.abc import Mapping

import reflex as rx

from console.kube.kinds import Kind
from console.kube.registry import KINDS
from console.state.timing import timed_event


def kind_aliases(kinds: Mapping[str, Kind]) -> dict[str, str]:
    """Every id, short name and (lower-case, unspaced) title → kind id; ids and short names win over titles."""
    aliases: dict[str, str] = {}
    for kind in kinds.values():
        aliases.setdefault(kind.title.lower().replace(" ", ""), kind.id)
    for kind in kinds.values():
        for name in (kind.id, *kind.short_names):
            aliases[name.lower()] = kind.id
    return aliases


STATIC_ALIASES = kind_aliases(KINDS)
_KIND_ID = re.compile(r"[a-z0-9][a-z0-9.-]*")


class KeyboardState(rx.State):
    key_map_open: bool = False

    @timed_event
    def set_key_map_open(self, value: bool):
        self.key_map_open = value

    @timed_event
    def command(self, command: str):
        """From the key listener: "help" toggles the key map; "kind:<id>" opens that kind's list."""
        if command == "help":
            self.key_map_open = not self.key_map_open
            return None
        if command.startswith("kind:"):
            self.key_map_open = False
            kind_id = command.removeprefix("kind:")
            if _KIND_ID.fullmatch(kind_id):
                return rx.redirect(f"/cloud?view=list&kind={kind_id}")
        return None
