"""Building blocks of the scenario models: the strict base model and constrained numbers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["StrictModel", "Share", "Positive", "NonNegative", "Hour", "SiteKind", "check_order"]

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Hour = Annotated[float, Field(ge=0.0, le=24.0)]


class StrictModel(BaseModel):
    """Base of all scenario models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


#: kinds of charging site: car AC, car DC (fast), public e-bike charging point
SiteKind = Literal["car_ac", "car_dc", "ebike"]


def check_order(model: BaseModel, low: str, high: str, *, strict: bool = False) -> None:
    """Raise ValueError unless ``model.low`` <= ``model.high`` (< when ``strict``)."""
    a, b = getattr(model, low), getattr(model, high)
    if a > b or (strict and a == b):
        relation = "be below" if strict else "not exceed"
        raise ValueError(f"{low} ({a}) must {relation} {high} ({b})")
