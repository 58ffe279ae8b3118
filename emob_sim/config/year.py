"""Scenario model of a simulated year: day types x periods (seasons or months) with weights.

A year is built from variants of the scenario's one simulated day: every period (a set of
months) x every day type (a set of weekdays) is one variant, weighted by the days it has in
``calendar_year`` (or by ``days`` given explicitly). A day type scales the weekday trip
chains (``trip_factor``) and turns part of the work chains into the same chains with other
activities (``work_factor``); a period sets the month mean temperature, which scales the cars'
consumption per km through ``temperature_curve``, and the calendar date of the day (the sun
at sites). The runs are ordinary scenarios (see :mod:`emob_sim.runner.year`).
"""

from __future__ import annotations

import calendar
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from emob_sim.config._base import NonNegative, Positive, StrictModel

__all__ = ["DayType", "YearConfig", "WEEKDAYS"]

#: weekday names, Monday first (as :meth:`datetime.date.weekday` counts them)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Month = Annotated[int, Field(ge=1, le=12, description="a month, 1 (January) to 12")]


class DayType(StrictModel):
    """One kind of day, relative to the weekday chains of ``demand.chain_shares``."""

    weekdays: list[Weekday] = Field(min_length=1, description="the weekdays of this day type")
    trip_factor: NonNegative = Field(
        1.0, description="share of cars driving a chain, relative to a weekday (all chains)"
    )
    work_factor: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        1.0,
        description="work chains relative to a weekday; the rest of those cars drive the same "
        "chain with an other activity for work (HWH -> HOH, HWOH -> HOOH, HWHOH -> HOHOH)",
    )
    source: str = ""


def _default_day_types() -> dict[str, DayType]:
    return {"day": DayType(weekdays=list(WEEKDAYS))}


def _default_periods() -> dict[str, list[int]]:
    return {"year": list(range(1, 13))}


class YearConfig(StrictModel):
    """How a year is built from simulated days (see the module docstring).

    The default is one day type of every weekday and one period of every month, without a
    temperature effect: a year is then ``days x`` the scenario's day.
    """

    calendar_year: int = Field(
        2025, ge=1900, le=2200, description="the year whose calendar gives the weights"
    )
    day_types: dict[str, DayType] = Field(
        default_factory=_default_day_types, description="each weekday in exactly one day type"
    )
    periods: dict[str, list[Month]] = Field(
        default_factory=_default_periods,
        description="seasons or months: each month 1-12 in exactly one period",
    )
    days: dict[str, dict[str, NonNegative]] = Field(
        default_factory=dict,
        description="explicit weights, days[period][day_type], for every variant (they must "
        "add up to the days of calendar_year); empty = counted from the calendar",
    )
    climate_file: Path | None = Field(
        None,
        description="CSV of month (1-12) and mean_temp_c; null = no temperature effect",
    )
    temperature_curve: list[tuple[float, Positive]] = Field(
        default_factory=lambda: [(-15.0, 0.54), (10.0, 1.0), (21.5, 1.15), (30.0, 1.0)],
        description="(temperature in deg C, range relative to rated range) points, temperature "
        "ascending; linear between them, constant beyond the ends",
    )
    reference_temp_c: float = Field(
        10.0, description="temperature at which fleet.vehicle_types' consumption holds"
    )
    period_dates: bool = Field(
        True,
        description="a period of fewer than 12 months runs on a Monday in its middle month "
        "(time.start_date: the sun at sites); a whole-year period keeps time.start_date",
    )

    @field_validator("day_types")
    @classmethod
    def _weekdays_once(cls, v: dict[str, DayType]):
        seen = [d for t in v.values() for d in t.weekdays]
        twice = sorted({d for d in seen if seen.count(d) > 1}, key=WEEKDAYS.index)
        missing = [d for d in WEEKDAYS if d not in seen]
        if twice or missing:
            raise ValueError(
                f"expected each weekday {list(WEEKDAYS)} in exactly one day type, got "
                f"{'twice: ' + str(twice) if twice else 'missing: ' + str(missing)}"
            )
        return v

    @field_validator("periods")
    @classmethod
    def _months_once(cls, v: dict[str, list[int]]):
        seen = [m for months in v.values() for m in months]
        twice = sorted({m for m in seen if seen.count(m) > 1})
        missing = [m for m in range(1, 13) if m not in seen]
        if twice or missing or any(not months for months in v.values()):
            what = f"twice: {twice}" if twice else f"missing: {missing}" if missing else "empty"
            raise ValueError(f"expected each month 1-12 in exactly one period, got {what}")
        return v

    @field_validator("temperature_curve")
    @classmethod
    def _curve_ascending(cls, v: list[tuple[float, float]]):
        temps = [p[0] for p in v]
        if len(v) < 2 or any(b <= a for a, b in zip(temps, temps[1:])):
            raise ValueError(
                f"expected at least two (temperature, relative range) points with the "
                f"temperature strictly ascending, got {v}"
            )
        return v

    @model_validator(mode="after")
    def _days_complete(self):
        if not self.days:
            return self
        for period, by_type in self.days.items():
            if period not in self.periods:
                raise ValueError(
                    f"days.{period}: unknown period, expected one of {list(self.periods)}"
                )
            unknown = [t for t in by_type if t not in self.day_types]
            if unknown:
                raise ValueError(
                    f"days.{period}.{unknown[0]}: unknown day type, expected one of "
                    f"{list(self.day_types)}"
                )
        absent = [
            f"{p}.{t}"
            for p in self.periods
            for t in self.day_types
            if t not in self.days.get(p, {})
        ]
        if absent:
            raise ValueError(f"days: give every period's every day type, missing {absent[0]}")
        total = sum(d for by_type in self.days.values() for d in by_type.values())
        expected = self.days_in_year
        if abs(total - expected) > 1e-9:
            raise ValueError(
                f"days: the weights add up to {total:g}, expected {expected} (the days of "
                f"{self.calendar_year})"
            )
        return self

    @property
    def days_in_year(self) -> int:
        """Days of ``calendar_year`` (365, or 366 in a leap year)."""
        return 366 if calendar.isleap(self.calendar_year) else 365

    def describe(self) -> str:
        """One sentence saying how the year is built (for reports).

        Returns
        -------
        str
            The periods, day types, how they are weighted and the temperature effect.
        """
        temp = (
            "cars' consumption per km follows each period's mean temperature"
            if self.climate_file is not None
            else "no temperature effect"
        )
        weights = "given by hand" if self.days else f"their days in {self.calendar_year}"
        return (
            f"A year is {len(self.periods)} period(s) ({', '.join(self.periods)}) x "
            f"{len(self.day_types)} day type(s) ({', '.join(self.day_types)}), each simulated "
            f"as one day and weighted by {weights} ({self.days_in_year} days); {temp}."
        )

    def weights(self) -> dict[tuple[str, str], float]:
        """Days of each (period, day type) in the year: ``days`` if given, else counted from
        the calendar of ``calendar_year``; they add up to :attr:`days_in_year`.

        Returns
        -------
        dict[tuple[str, str], float]
            (period, day type) -> its days a year.
        """
        if self.days:
            return {(p, t): float(self.days[p][t]) for p in self.periods for t in self.day_types}
        period_of = {m: p for p, months in self.periods.items() for m in months}
        type_of = {d: t for t, dt in self.day_types.items() for d in dt.weekdays}
        out = {(p, t): 0.0 for p in self.periods for t in self.day_types}
        for month in range(1, 13):
            n_days = calendar.monthrange(self.calendar_year, month)[1]
            for day in range(1, n_days + 1):
                weekday = WEEKDAYS[calendar.weekday(self.calendar_year, month, day)]
                out[(period_of[month], type_of[weekday])] += 1.0
        return out
