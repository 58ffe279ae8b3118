"""The record of one validation check and its verdict; the checkout the checks read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: the repository's root (scripts/validation/ is two levels below it)
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Check:
    section: str
    name: str
    model: float
    expected: float | None
    tolerance: float | None
    source: str
    unit: str = ""
    #: was the reference used to set the model? "no", or "yes: how" (then the row is a
    #: consistency check, not validation)
    calibration: str = "no"
    #: a documented known limitation: the largest accepted gap |model - expected|
    known_gap: float | None = None
    #: why the known limitation exists and what would close it
    why: str = ""

    @property
    def verdict(self) -> str:
        if self.expected is None or self.tolerance is None:
            return "context"
        gap = abs(self.model - self.expected)
        if gap <= self.tolerance:
            return "pass"
        if self.known_gap is not None and gap <= self.known_gap:
            return "known limitation"
        return "FAIL"

    @property
    def used_in_calibration(self) -> bool:
        return self.calibration.startswith("yes")
