"""Generated member handles such as ``quiet-harbor-4821``: memorable, calm, and not a name."""

from __future__ import annotations

import secrets

ADJECTIVES = (
    "quiet calm gentle steady bright clear kind warm brave patient hopeful soft still open "
    "golden silver amber green blue misty sunny morning evening autumn spring summer winter "
    "wild little tall deep wide free easy simple honest humble careful curious cheerful "
    "peaceful restful mellow tender loyal able fair fresh swift light rising"
).split()
NOUNS = (
    "harbor meadow river willow cedar maple birch lantern beacon garden orchard valley "
    "canyon island shore tide wave cloud rain snow breeze forest grove field hill "
    "mountain stone pebble feather sparrow robin heron otter fox deer owl finch wren "
    "comet star moon sun dawn dusk path bridge harbour cottage kettle compass anchor"
).split()


def generate() -> str:
    """About 48 × 52 × 9000 ≈ 22 million handles; uniqueness is enforced by the database."""
    return f"{secrets.choice(ADJECTIVES)}-{secrets.choice(NOUNS)}-{secrets.randbelow(9000) + 1000}"


def normalise(handle: str) -> str:
    return handle.strip().lower()
