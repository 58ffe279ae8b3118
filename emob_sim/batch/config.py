"""Sweep files: a base scenario, the parameters to vary, the number of seeds.

A sweep file (``configs/sweeps/*.yaml``)::

    name: adoption-x-home
    base: ../zemgale/baseline.yaml      # relative to this file, absolute, or emob-sim:...
    seeds: 3                            # seeds base.seed, base.seed + 1, ...
    grid:                               # every combination of these lists
      fleet.ev_share: [0.02, 0.05, 0.10]
      fleet.home_charging_share: [0.4, 0.8]
    zip:                                # lists of one length, taken together
      charging.max_wait_min: [10, 20]
      charging.comfort_soc: [0.2, 0.3]
    sample:                             # points drawn in bounds (scipy.stats.qmc, or SALib)
      method: lhs                       # lhs | sobol (scipy.stats.qmc) | saltelli (SALib)
      n: 16
      seed: 1
      bounds:
        fleet.ev_share: [0.01, 0.2]
    placement:                          # optional: propose a layout first, run that layout
      method: coverage                  # as emob-sim place --method/--budget/--kind
      budget: 500k
      kind: car_dc

Parameters are ``--set`` key paths. The variants are every combination of the grid, the zip
rows and the sample points (a group left out counts once). Every variant is resolved and
validated (:func:`load_sweep`) before anything runs; a bad one is named with its key.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from emob_sim.config import Scenario, load_scenario, scenario_to_dict
from emob_sim.config.levers import override
from emob_sim.config.loading import read_yaml_file, resolve_path
from emob_sim.config.models import StrictModel
from emob_sim.errors import ConfigError, InputFileNotFoundError

__all__ = [
    "SweepConfig",
    "SampleConfig",
    "PlacementStep",
    "Sweep",
    "Task",
    "load_sweep",
    "run_key",
]


class SampleConfig(StrictModel):
    """Points drawn in the bounds of each parameter."""

    method: Literal["lhs", "sobol", "saltelli"] = "lhs"
    n: int = Field(16, ge=1, le=100_000, description="points (saltelli: base samples N)")
    seed: int = Field(0, ge=0)
    bounds: dict[str, tuple[float, float]] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> SampleConfig:
        for key, (low, high) in self.bounds.items():
            if not low < high:
                raise ValueError(f"bounds.{key}: low ({low}) must be below high ({high})")
        return self


class PlacementStep(StrictModel):
    """A placement before each run, as ``emob-sim place``: the proposed layout is what runs."""

    method: str
    budget: str
    kind: str | None = None  # None: the method's default (as emob-sim place without --kind)


class SweepConfig(StrictModel):
    """A sweep file, validated."""

    name: str = "sweep"
    description: str = ""
    base: str = Field(description="the base scenario file")
    seeds: int = Field(1, ge=1, le=10_000, description="seeds per variant")
    grid: dict[str, list[Any]] = Field(default_factory=dict)
    zip: dict[str, list[Any]] = Field(default_factory=dict)
    sample: SampleConfig | None = None
    placement: PlacementStep | None = None

    @model_validator(mode="after")
    def _shapes(self) -> SweepConfig:
        for key, values in self.grid.items():
            if not values:
                raise ValueError(f"grid.{key}: expected a non-empty list of values")
        lengths = {len(v) for v in self.zip.values()}
        if len(lengths) > 1:
            raise ValueError(f"zip: expected lists of one length, got lengths {sorted(lengths)}")
        keys = [*self.grid, *self.zip, *(self.sample.bounds if self.sample else {})]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"{twice[0]}: varied in more than one of grid, zip and sample")
        return self


@dataclass(frozen=True)
class Task:
    """One run of a sweep: a variant's resolved scenario with one seed, and its key."""

    variant: int
    params: dict[str, Any]
    seed: int
    scenario: Scenario
    key: str


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep: its file, settings, variants (parameter values) and tasks."""

    path: Path | None
    config: SweepConfig
    base: Path
    variants: list[dict[str, Any]]
    tasks: list[Task]
    sample_matrix: np.ndarray | None  # for sensitivity: one row per variant (sampled keys)

    @property
    def parameters(self) -> list[str]:
        """The keys the sweep varies: those of ``grid``, then ``zip``, then the sample's."""
        return [
            *self.config.grid,
            *self.config.zip,
            *(self.config.sample.bounds if self.config.sample else {}),
        ]


def run_key(scenario: Scenario, placement: PlacementStep | None = None) -> str:
    """The key of a run: a hash of its resolved scenario (seed included) and placement step.

    Parameters
    ----------
    scenario : Scenario
        The run's resolved scenario.
    placement : PlacementStep or None
        The placement the run starts with, if any.

    Returns
    -------
    str
        16 hex digits of the SHA-256 of both, as sorted JSON.
    """
    data = scenario_to_dict(scenario)
    if placement is not None:
        from emob_sim.placement import method_kind

        step = placement.model_dump(mode="json")
        step["kind"] = method_kind(placement.method, placement.kind)  # the kind placed
        data = {"scenario": data, "placement": step}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _sample(cfg: SampleConfig) -> tuple[list[dict[str, float]], np.ndarray]:
    keys = list(cfg.bounds)
    low = np.array([cfg.bounds[k][0] for k in keys])
    high = np.array([cfg.bounds[k][1] for k in keys])
    if cfg.method == "saltelli":
        from SALib.sample import sobol as salib_sobol

        problem = {
            "num_vars": len(keys),
            "names": keys,
            "bounds": [list(b) for b in zip(low, high)],
        }
        points = salib_sobol.sample(problem, cfg.n, calc_second_order=False, seed=cfg.seed)
    else:
        from scipy.stats import qmc

        engine = (
            qmc.LatinHypercube(d=len(keys), seed=cfg.seed)
            if cfg.method == "lhs"
            else qmc.Sobol(d=len(keys), scramble=True, seed=cfg.seed)
        )
        points = qmc.scale(engine.random(cfg.n), low, high)
    return [dict(zip(keys, map(float, row))) for row in points], points


def load_sweep(source: str | Path | SweepConfig, *, folder: Path | None = None) -> Sweep:
    """Read and validate a sweep: every variant is resolved as a scenario before anything runs.

    Parameters
    ----------
    source : str, pathlib.Path or SweepConfig
        A sweep file (YAML), or its settings already read.
    folder : pathlib.Path or None
        With a :class:`SweepConfig`: the folder its relative ``base`` path is resolved from
        (``None``: the working folder).

    Returns
    -------
    Sweep
        The sweep's settings, variants (parameter values), tasks (variant x seed) and, for a
        sample, its design matrix.

    Raises
    ------
    ConfigError
        A malformed sweep file, or a variant whose values the scenario refuses (the message
        names the variant, its values and the key).
    InputFileNotFoundError
        The sweep file or its base scenario does not exist.
    """
    path = None
    if isinstance(source, SweepConfig):
        config, folder = source, folder or Path.cwd()
    else:
        path = Path(source)
        data = read_yaml_file(path, what="sweep file") or {}
        try:
            config = SweepConfig.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise ConfigError(
                f"{path}: {loc}: {err['msg'].removeprefix('Value error, ')}"
            ) from None
        folder = path.parent
    base = resolve_path(config.base, folder)
    if not base.is_file():
        raise InputFileNotFoundError(f"{path or 'sweep'}: base: file not found: {base}")
    groups: list[list[dict[str, Any]]] = []
    if config.grid:
        keys = list(config.grid)
        groups.append(
            [dict(zip(keys, combo)) for combo in itertools.product(*config.grid.values())]
        )
    if config.zip:
        keys = list(config.zip)
        groups.append([dict(zip(keys, row)) for row in zip(*config.zip.values())])
    matrix = None
    if config.sample:
        points, matrix = _sample(config.sample)
        groups.append(points)
    variants = (
        [{k: v for part in combo for k, v in part.items()} for combo in itertools.product(*groups)]
        if groups
        else [{}]
    )
    tasks = []
    if config.placement is not None:
        from emob_sim.placement import KINDS, METHODS, method_kind, parse_budget

        step = config.placement
        if step.method not in METHODS or (step.kind is not None and step.kind not in KINDS):
            raise ConfigError(
                f"{path or 'sweep'}: placement: unknown method {step.method!r} or "
                f"kind {step.kind!r}, expected one of {sorted(METHODS)} and "
                f"{list(KINDS)}"
            )
        try:
            method_kind(step.method, step.kind)
        except ConfigError as exc:
            raise ConfigError(f"{path or 'sweep'}: placement: {exc}") from None
        try:
            parse_budget(step.budget)
        except ConfigError as exc:
            raise ConfigError(f"{path or 'sweep'}: placement.budget: {exc}") from None
    for i, params in enumerate(variants):
        try:
            scenario = load_scenario(base, overrides=[override(k, v) for k, v in params.items()])
        except ConfigError as exc:
            where = ", ".join(f"{k}={v!r}" for k, v in params.items())
            raise ConfigError(f"{path or 'sweep'}: variant {i} ({where}): {exc}") from None
        for s in range(config.seeds):
            seeded = scenario.model_copy(update={"seed": scenario.seed + s})
            tasks.append(Task(i, params, seeded.seed, seeded, run_key(seeded, config.placement)))
    return Sweep(path, config, base, variants, tasks, matrix)
