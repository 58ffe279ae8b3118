"""Child random streams derived without touching the parent's spawn counter."""

from __future__ import annotations

import numpy as np

__all__ = ["children"]


def children(
    seed_seq: np.random.SeedSequence, n: int, *, tag: int | None = None
) -> list[np.random.SeedSequence]:
    """Return ``n`` child SeedSequences of ``seed_seq``.

    Child ``i`` extends ``seed_seq.spawn_key`` by ``(tag, i)`` (or ``(i,)`` without a tag),
    as ``SeedSequence.spawn`` does, but without reading or advancing the parent's spawn
    counter: the same parent always yields the same children, however often it is used.
    """
    prefix = (*seed_seq.spawn_key, *(() if tag is None else (tag,)))
    return [
        np.random.SeedSequence(
            seed_seq.entropy, spawn_key=(*prefix, i), pool_size=seed_seq.pool_size
        )
        for i in range(n)
    ]
