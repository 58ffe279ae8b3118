"""Placement budgets: an amount in EUR or a number of plugs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from emob_sim.errors import ConfigError

__all__ = ["Budget", "parse_budget"]

_PATTERN = re.compile(
    r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<mult>[kKmM]?)\s*(?P<unit>eur|€|plugs?)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Budget:
    """What a placement may spend: ``amount`` EUR of CAPEX, or ``amount`` new plugs."""

    amount: float
    unit: Literal["eur", "plugs"] = "eur"

    def __str__(self) -> str:
        if self.unit == "plugs":
            return f"{self.amount:g} plug{'s' if self.amount != 1 else ''}"
        return f"{self.amount:,.0f} EUR"


def parse_budget(text: str | float | Budget) -> Budget:
    """Read a budget: ``250000``, ``250k``, ``1.5M EUR`` (EUR) or ``12 plugs``.

    Parameters
    ----------
    text : str, float or Budget
        The budget as given (a number is EUR; a :class:`Budget` is checked as it is).

    Returns
    -------
    Budget
        The amount and its unit (``"eur"`` or ``"plugs"``).

    Raises
    ------
    ConfigError
        Unreadable text, a negative amount, or a number of plugs below one or not whole.
    """
    if isinstance(text, Budget):
        budget = text
    elif isinstance(text, int | float):
        budget = Budget(float(text), "eur")
    else:
        m = _PATTERN.match(str(text))
        if m is None:
            raise ConfigError(
                f"--budget {text!r}: expected an amount in EUR (e.g. 250000, 250k, 1.5M; no "
                "thousands separators, '.' for decimals) or a number of plugs (e.g. 12plugs)"
            )
        amount = float(m["num"])
        amount *= {"": 1.0, "k": 1e3, "m": 1e6}[m["mult"].lower()]
        unit = "plugs" if (m["unit"] or "").lower().startswith("plug") else "eur"
        budget = Budget(amount, unit)
    if budget.unit == "plugs" and (budget.amount < 1 or budget.amount != int(budget.amount)):
        raise ConfigError(f"--budget {budget}: below one plug or not whole, expected 1 or more")
    if budget.amount <= 0:
        raise ConfigError(f"--budget {budget}: below the cost of one plug, expected more than 0")
    return budget
