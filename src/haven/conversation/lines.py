"""Choosing lines from the reviewed dialogue text without repeating them, and filling their placeholders."""

from __future__ import annotations

import random
import string

from haven.conversation import content

USED_MEMORY = 80  # line ids remembered per conversation; more than any list is long


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def fill(template: str, **values: object) -> str:
    """``str.format`` for reviewed templates: a missing value shows as an ellipsis, never an error.

    Only the template is parsed; values (which may be the member's own words) are inserted as text.
    """
    return string.Formatter().vformat(template, (), _Blank({k: v for k, v in values.items() if v is not None}))


class Picker:
    """Picks a variant that this conversation has not used yet; when all have been used, the oldest."""

    def __init__(self, state, rng: random.Random) -> None:
        self.state = state
        self.rng = rng

    def line(self, *path: str, among: list[int] | None = None) -> str:
        variants = content.dialogue()
        for part in path:
            variants = variants[part]
        indices = among if among is not None else list(range(len(variants)))
        key = ".".join(path)
        ids = [f"{key}#{i}" for i in indices]
        fresh = [i for i, line_id in zip(indices, ids, strict=True) if line_id not in self.state.used]
        if fresh:
            index = self.rng.choice(fresh)
        else:
            # All used: the one used longest ago.
            index = min(indices, key=lambda i: self.state.used.index(f"{key}#{i}"))
        line_id = f"{key}#{index}"
        if line_id in self.state.used:
            self.state.used.remove(line_id)
        self.state.used = [*self.state.used, line_id][-USED_MEMORY:]
        return variants[index]

    def choice(self, options: list[str]) -> str:
        return self.rng.choice(list(options))
