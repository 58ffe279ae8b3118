"""The CO2 balance: one definition for a run's KPIs, compare, the plan and the app.

The counterfactual is the same trips driven by petrol cars, as planned::

    co2_avoided_kg = petrol counterfactual - electricity used

    petrol counterfactual = (planned km of the electric cars' completed trips
                             + car km of the trips shifted to e-bikes)
                            x emissions.petrol_car_kg_per_km
    electricity used      = (energy the electric cars drew from their batteries
                             + energy the shifted e-bike trips drew)
                            x emissions.grid_kg_per_kwh

- *Planned km* are the demand's network distances (``trips.parquet`` ``distance_km``):
  detours to chargers earn no petrol credit (a petrol car would not drive them), while their
  energy is in the electricity used.
- *Energy used* is what the simulation records per trip (``energy_used_kwh``: the km actually
  driven, detours included, times the car's consumption), not the energy charged that day (a
  battery carries energy across the day boundary). The model has no charging losses
  (ASSUMPTION, :mod:`emob_sim.sim.engine`), so energy used = energy the grid delivered for it.
- *Stranded trips* (ASSUMPTION): a stranded trip, and the trips of that day after it, are
  made by another means that emits as a petrol car (a lift, a taxi, the household's other
  car): they earn no petrol credit, while the energy the car used on the way before it
  stranded still counts. Fewer strandings therefore show as more CO2 avoided.
- *E-bikes*: only trips that replace car trips (modal shift, of petrol and of electric cars)
  are in the balance; owners' own e-bike trips are not (what they replace is unknown). A
  shifted electric car trip leaves the car demand, so its petrol credit moves from the cars'
  part to the e-bikes' part; the effect of the shift against the cars it replaced is the
  difference of the balance with and without the shift.

Two runs on the same trips whose layouts differ, with the same trips completed, differ in
``co2_avoided_kg`` by exactly ``grid_kg_per_kwh`` x the difference in energy used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.results import EbikeRun
from emob_sim.sim.outputs import SimResult

__all__ = ["Co2Balance", "co2_balance"]


@dataclass(frozen=True)
class Co2Balance:
    """The terms of the CO2 balance (module docstring); ``*_kg`` are derived from them."""

    car_planned_km: float  # electric cars' completed trips, as planned
    car_energy_kwh: float  # electric cars' energy used, every trip (stranded ones too)
    shifted_car_km: float  # car km of the e-bike trips that replace car trips
    ebike_energy_kwh: float  # energy those e-bike trips used
    petrol_kg_per_km: float
    grid_kg_per_kwh: float

    @property
    def cars_kg(self) -> float:
        """The electric cars' part: planned km x petrol factor - energy used x grid factor."""
        return self.car_planned_km * self.petrol_kg_per_km - (
            self.car_energy_kwh * self.grid_kg_per_kwh
        )

    @property
    def ebike_kg(self) -> float:
        """The modal shift's part: car km replaced x petrol factor - e-bike energy x grid."""
        return self.shifted_car_km * self.petrol_kg_per_km - (
            self.ebike_energy_kwh * self.grid_kg_per_kwh
        )

    @property
    def avoided_kg(self) -> float:
        """``co2_avoided_kg``: the cars' part plus the modal shift's part."""
        return self.cars_kg + self.ebike_kg


def co2_balance(
    scenario: Scenario,
    *,
    demand: Demand | None = None,
    sim: SimResult | None = None,
    vehicles: NDArray[np.bool_] | None = None,
    ebike: EbikeRun | None = None,
) -> Co2Balance:
    """The CO2 balance of a run (module docstring), from its trip tables.

    Parameters
    ----------
    scenario
        Its ``emissions`` factors are used.
    demand, sim
        The car trips as planned (``distance_km``) and their outcome (``status``,
        ``energy_used_kwh``), in the same order; None = no cars (the e-bikes' part alone).
    vehicles
        Count only the cars where True (per row of ``demand.vehicles``); None = every car.
    ebike
        The e-bike run whose shifted trips join the balance; None = no e-bikes.
    """
    car_km = car_kwh = 0.0
    if demand is not None and sim is not None:
        planned = demand.trips["distance_km"].to_numpy(np.float64)
        used = sim.trips["energy_used_kwh"].to_numpy(np.float64)
        completed = sim.trips["status"].to_numpy() == "completed"
        mine = np.ones(planned.size, dtype=bool)
        if vehicles is not None:
            mine = np.asarray(vehicles, dtype=bool)[sim.trips["vehicle_id"].to_numpy(np.int64)]
        car_km, car_kwh = float(planned[mine & completed].sum()), float(used[mine].sum())
    shifted_km = bike_kwh = 0.0
    if ebike is not None and len(ebike.demand.trips):
        trips = ebike.demand.trips
        origin = ebike.demand.vehicles["origin"].to_numpy(dtype=object)
        shifted = origin[trips["ebike_id"].to_numpy(np.int64)] != "owner"
        shifted_km = float(trips["car_km"].to_numpy(np.float64)[shifted].sum())
        bike_kwh = float(ebike.sim.trips["energy_used_kwh"].to_numpy(np.float64)[shifted].sum())
    em = scenario.emissions
    return Co2Balance(
        car_planned_km=car_km,
        car_energy_kwh=car_kwh,
        shifted_car_km=shifted_km,
        ebike_energy_kwh=bike_kwh,
        petrol_kg_per_km=float(em.petrol_car_kg_per_km),
        grid_kg_per_kwh=float(em.grid_kg_per_kwh),
    )
