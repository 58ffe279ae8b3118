"""Random streams of a run: one SeedSequence per stochastic stage, and child streams.

Every run draws from ``numpy.random.SeedSequence(scenario.seed)``: :func:`seed_streams`
spawns one independent stream per stage, and a stage splits its stream further with
:func:`children` (which never advances the parent's spawn counter, so the same parent always
yields the same children). Same seed, same streams, identical outputs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["seed_streams", "children", "STREAMS"]

#: the stages that draw random numbers, in spawn order; new stages are appended at the end,
#: so that the existing streams never change
STREAMS = ("demand", "sim", "ebike", "weather")


def seed_streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """One independent SeedSequence per stochastic stage (:data:`STREAMS`) of a run.

    Parameters
    ----------
    seed : int
        The scenario's seed.

    Returns
    -------
    dict[str, numpy.random.SeedSequence]
        Stage name (``demand``, ``sim``, ``ebike``, ``weather``) -> its stream.
    """
    return dict(zip(STREAMS, np.random.SeedSequence(seed).spawn(len(STREAMS))))


def children(
    seed_seq: np.random.SeedSequence, n: int, *, tag: int | None = None
) -> list[np.random.SeedSequence]:
    """Return ``n`` child SeedSequences of ``seed_seq``.

    Child ``i`` extends ``seed_seq.spawn_key`` by ``(tag, i)`` (or ``(i,)`` without a tag),
    as ``SeedSequence.spawn`` does, but without reading or advancing the parent's spawn
    counter: the same parent always yields the same children, however often it is used.

    Parameters
    ----------
    seed_seq : numpy.random.SeedSequence
        The parent stream.
    n : int
        Number of children.
    tag : int or None
        Tells apart the children that different components take from one parent.

    Returns
    -------
    list[numpy.random.SeedSequence]
        The ``n`` children, in order.
    """
    prefix = (*seed_seq.spawn_key, *(() if tag is None else (tag,)))
    return [
        np.random.SeedSequence(
            seed_seq.entropy, spawn_key=(*prefix, i), pool_size=seed_seq.pool_size
        )
        for i in range(n)
    ]
