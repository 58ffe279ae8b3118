"""Plan files: options of a mobility plan over horizon years, on adoption paths.

A plan file (``configs/zemgale/plans/*.yaml``)::

    name: zemgale-2030
    years: [2024, 2027, 2030]          # horizon years, increasing
    seeds: 3                           # seeds per year (the layouts' seed, +1, ...)
    days_per_year: {value: 365, source: "ASSUMPTION: ..."}
    discount_rate: {value: 0.04, source: "..."}   # optional: DEFAULT_DISCOUNT_RATE
    year_model: true                   # optional (default true): a simulated year of day types
    adoption_response:                 # optional: the EV share answers public charging
      measure: car_plugs_per_1000      # or pop_fast_10min_share
      elasticity: {value: 0.84, source: "..."}
      max_uplift: {value: 0.5, source: "ASSUMPTION: ..."}
    adoption:                          # adoption paths: per year, --set keys with sources
      slow:
        2024:
          fleet.ev_share: {value: 0.0112, source: "CSDD, 1 Oct 2024 ..."}
        2027: ...
    options:                           # the first is the baseline of the cost comparisons
      - name: today
        description: today's chargers only
        layouts: {2024: ../layout_existing.yaml, 2027: ../layout_existing.yaml, ...}

A layout is a scenario file (relative to the plan file, absolute, or ``emob-sim:...``) that
holds the option's sites in that year, or (after the first year) a placement that adds a
proposed layout to the option's layout of the year before::

        layouts: {2024: ../layout_existing.yaml, 2027: {method: coverage, budget: 500k}}

(``kind`` as in ``emob-sim place``, the method's default when left out: ``car_dc``; the
budget is what that year adds and must buy at least one plug). The year's adoption values
are applied as ``--set`` overrides. ``year_model: true`` runs each case as a simulated year
(the scenario's ``year:`` section, :func:`emob_sim.runner.run_year`); ``false`` counts
``days_per_year`` of the scenario's one day. ``adoption_response`` is described in
:mod:`emob_sim.plan.adoption`. Every value of an adoption path carries its source or the
word ASSUMPTION. :func:`load_plan` resolves and validates every option, year and path before
anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from emob_sim.config import Scenario, load_scenario
from emob_sim.config.levers import override
from emob_sim.config.loading import read_yaml_file, resolve_path
from emob_sim.config.models import StrictModel
from emob_sim.errors import ConfigError, InputFileNotFoundError
from emob_sim.region import load_zones

__all__ = [
    "PlanConfig",
    "PlanOption",
    "PlanPlacement",
    "AdoptionResponse",
    "SourcedValue",
    "Plan",
    "PlanCase",
    "load_plan",
    "DEFAULT_DISCOUNT_RATE",
]


class SourcedValue(StrictModel):
    """A value of the plan with where it comes from (a source, or ASSUMPTION and why)."""

    value: Any
    source: str = Field(min_length=3)


class PlanPlacement(StrictModel):
    """A layout proposed in a year (as ``emob-sim place``), added to the option's layout of
    the year before; ``budget`` is what that year adds."""

    method: str
    budget: str
    kind: str | None = None  # None: the method's default (as emob-sim place without --kind)


class PlanOption(StrictModel):
    """One option of a plan: its name, a description, and per horizon year its layout (a
    scenario file) or a placement added to the layout of the year before."""

    name: str = Field(min_length=1)
    description: str = ""
    layouts: dict[int, str | PlanPlacement] = Field(
        description="year -> scenario file holding the layout, or a placement added to the "
        "layout of the year before"
    )


#: the real discount rate of a plan's costs when its file names none
DEFAULT_DISCOUNT_RATE = SourcedValue(
    value=0.04,
    source="ASSUMPTION: 4 % real, the social discount rate usually quoted from the European "
    "Commission's Better Regulation Toolbox (tool #61, 'The use of discount rates'); the "
    "figure was not checked against the Toolbox's current edition here",
)


class AdoptionResponse(StrictModel):
    """The EV share's response to public charging (:mod:`emob_sim.plan.adoption`)."""

    measure: Literal["car_plugs_per_1000", "pop_fast_10min_share"] = "car_plugs_per_1000"
    elasticity: SourcedValue
    max_uplift: SourcedValue

    @field_validator("elasticity", "max_uplift")
    @classmethod
    def _number(cls, v: SourcedValue) -> SourcedValue:
        value = v.value
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ValueError(f"expected a number >= 0, got {value!r}")
        return v

    @classmethod
    def none(cls) -> AdoptionResponse:
        """No response: the path's EV share for every option.

        Returns
        -------
        AdoptionResponse
            Elasticity and maximum uplift both 0.
        """
        zero = SourcedValue(value=0.0, source="no adoption response in the plan file")
        return cls(elasticity=zero, max_uplift=zero)


class PlanConfig(StrictModel):
    """A plan file as read: horizon years, seeds, how a year is counted, the adoption paths
    and the options (the module docstring shows a file; every value with its source)."""

    name: str = Field(min_length=1)
    description: str = ""
    years: list[int] = Field(min_length=1)
    seeds: int = Field(3, ge=1)
    days_per_year: SourcedValue
    discount_rate: SourcedValue = DEFAULT_DISCOUNT_RATE
    year_model: bool = True
    adoption_response: AdoptionResponse | None = None
    adoption: dict[str, dict[int, dict[str, SourcedValue]]] = Field(min_length=1)
    options: list[PlanOption] = Field(min_length=1)

    @field_validator("days_per_year")
    @classmethod
    def _days(cls, days: SourcedValue) -> SourcedValue:
        value = days.value
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 366:
            raise ValueError(f"expected a number of days in (0, 366], got {value!r}")
        return days

    @field_validator("discount_rate")
    @classmethod
    def _rate(cls, rate: SourcedValue) -> SourcedValue:
        value = rate.value
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            raise ValueError(f"expected a yearly rate in [0, 1), e.g. 0.04, got {value!r}")
        return rate

    @field_validator("years")
    @classmethod
    def _increasing(cls, years: list[int]) -> list[int]:
        for a, b in zip(years, years[1:]):
            if b <= a:
                raise ValueError(f"expected increasing years, got {a} before {b} in {years}")
        return years

    @model_validator(mode="after")
    def _complete(self) -> PlanConfig:
        names = [o.name for o in self.options]
        if len(set(names)) != len(names):
            raise ValueError(f"options: names must differ, got {names}")
        for option in self.options:
            missing = [y for y in self.years if y not in option.layouts]
            if missing:
                raise ValueError(f"option {option.name!r}: no layout for {missing}")
            if not isinstance(option.layouts[self.years[0]], str):
                raise ValueError(
                    f"option {option.name!r}: the first year needs a layout file "
                    "(a placement adds to the layout of the year before)"
                )
        for path, by_year in self.adoption.items():
            missing = [y for y in self.years if y not in by_year]
            if missing:
                raise ValueError(f"adoption path {path!r}: no values for {missing}")
        return self


@dataclass(frozen=True)
class PlanCase:
    """One option in one year on one adoption path: its resolved scenario (first seed). With
    ``placement`` the scenario is the option's first layout file with the year's adoption
    values, whose sites the run replaces by the year before's plus the proposed ones."""

    path: str
    year: int
    option: str
    scenario: Scenario
    placement: PlanPlacement | None = None


@dataclass(frozen=True)
class Plan:
    """A plan resolved by :func:`load_plan`: every option in every year on every adoption path
    as a :class:`PlanCase`, and the seeds each case runs with."""

    file: Path | None
    config: PlanConfig
    cases: list[PlanCase]
    seeds: list[int]

    @property
    def baseline(self) -> str:
        """The name of the baseline option (the first), against which costs are compared."""
        return self.config.options[0].name

    @property
    def days_a_year(self) -> float:
        """Days a year counts: the simulated year's (``year_model``) or ``days_per_year``."""
        if self.config.year_model:
            return float(self.cases[0].scenario.year.days_in_year)
        return float(self.config.days_per_year.value)

    @property
    def year_description(self) -> str:
        """One sentence saying how a year of the plan is built (for the report)."""
        if self.config.year_model:
            return self.cases[0].scenario.year.describe()
        days = self.config.days_per_year
        return (
            f"A year is the scenario's one simulated day counted {days.value:g} times "
            f"({days.source})."
        )

    def municipalities(self) -> list[str]:
        """The municipalities of the resident zones (of the first case's zone table; automatic
        zones all lie in ``zones.auto.municipality``).

        Returns
        -------
        list[str]
            The municipality names, sorted.
        """
        zones_cfg = self.cases[0].scenario.zones
        if zones_cfg.file is None:
            return [zones_cfg.auto.municipality] if zones_cfg.auto.municipality else []
        zones = load_zones(zones_cfg.file)
        return sorted(set(zones.loc[zones["kind"] == "zone", "municipality"].dropna()))

    def check_municipality(self, name: str) -> None:
        """Raise ConfigError unless ``name`` is a municipality of the plan's zones.

        Parameters
        ----------
        name : str
            A municipality name, as given to ``--municipality``.

        Raises
        ------
        ConfigError
            ``name`` is not one of :meth:`municipalities`.
        """
        names = self.municipalities()
        if name not in names:
            raise ConfigError(
                f"--municipality {name!r}: not in the zone table; expected one of "
                f"{', '.join(names)}"
            )


def _read(path: Path) -> PlanConfig:
    data = read_yaml_file(path, what="plan file") or {}
    try:
        return PlanConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        where = f"{loc}: " if loc else ""
        raise ConfigError(f"{path}: {where}{err['msg'].removeprefix('Value error, ')}") from None


def _check_step(step: PlanPlacement, where: str) -> None:
    from emob_sim.placement import METHODS, method_kind

    if step.method not in METHODS:
        raise ConfigError(
            f"{where}: placement method {step.method!r}: expected one of {sorted(METHODS)}"
        )
    try:
        method_kind(step.method, step.kind)
    except ConfigError as exc:
        raise ConfigError(f"{where}: placement: {exc}") from None


def _check_budget(step: PlanPlacement, scenario: Scenario, where: str) -> None:
    """The budget is readable and buys at least one plug (the cheapest plug class)."""
    from emob_sim.placement import parse_budget

    try:
        budget = parse_budget(step.budget)
    except ConfigError as exc:
        raise ConfigError(f"{where}: placement budget: {exc}") from None
    cheapest = min(c.capex_eur for c in scenario.costs.plug_classes)
    if budget.unit == "eur" and budget.amount < cheapest:
        raise ConfigError(
            f"{where}: placement budget {step.budget!r} is below one plug (the "
            f"cheapest, costs.plug_classes, costs {cheapest:,.0f} EUR)"
        )


def load_plan(source: str | Path, *, seeds: int | None = None) -> Plan:
    """Read a plan file and resolve every option in every year on every adoption path.

    Parameters
    ----------
    source : str or pathlib.Path
        The plan file (YAML); its relative layout and scenario paths are resolved from its
        folder.
    seeds : int or None
        Seeds per year, replacing the file's ``seeds``.

    Returns
    -------
    Plan
        The plan with one resolved case per adoption path, year and option.

    Raises
    ------
    ConfigError
        A malformed plan (years out of order, an option without a layout for a year, a value
        without a source), or a case whose scenario is refused (named with path, year and
        option).
    InputFileNotFoundError
        The plan file or a layout file does not exist.
    """
    file = Path(source)
    config = _read(file)
    folder = file.parent
    cases = []
    for path, by_year in config.adoption.items():
        for year in config.years:
            sets = [override(k, v.value) for k, v in by_year[year].items()]
            for option in config.options:
                step = option.layouts[year]
                where = f"{file}: adoption {path!r}, {year}, option {option.name!r}"
                if not isinstance(step, str):
                    _check_step(step, where)
                first = option.layouts[config.years[0]]
                layout = resolve_path(step if isinstance(step, str) else first, folder)
                if not layout.is_file():
                    raise InputFileNotFoundError(f"{where}: layout file not found: {layout}")
                try:
                    scenario = load_scenario(layout, overrides=sets)
                except ConfigError as exc:
                    raise ConfigError(f"{where}: {exc}") from None
                if not isinstance(step, str):
                    _check_budget(step, scenario, where)
                cases.append(
                    PlanCase(
                        path, year, option.name, scenario, None if isinstance(step, str) else step
                    )
                )
    n = seeds if seeds is not None else config.seeds
    if n < 1:
        raise ConfigError(f"--seeds {n}: expected at least 1")
    first = cases[0].scenario.seed
    return Plan(file, config, cases, [first + i for i in range(n)])
