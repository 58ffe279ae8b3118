"""Build the zones and sites of the demo scenario configs/demo/kouvola.yaml.

Input: pyrosm's bundled OpenStreetMap extract ``pyrosm.get_data("test_pbf")``
(© OpenStreetMap contributors, ODbL 1.0). Output (deterministic)::

    python scripts/build_demo_zones.py data/demo

writes ``kouvola_zones.csv`` and ``kouvola_sites.csv`` (see data/demo/README.md).

Zones: the nodes of the extract's bike network (the network the scenario uses for e-bikes) are
grouped into ``--zones`` clusters by k-means on projected coordinates (ETRS-TM35FIN); each
zone's centre is the network node nearest its cluster's mean, its name the nearest OSM place
node, its area the convex hull of its nodes. Population: the extract's residential buildings
(``building`` = residential, house, detached, semidetached_house, terrace, apartments) assigned
to the nearest zone centre, times an ASSUMED number of residents per building (``RESIDENTS``).

Sites: car chargers at the fuel stations (DC) and the named car park (AC); public e-bike points
at the school, the corner shop and the training centre. Their locations are OSM features of the
extract; that chargers stand there, and their plugs and power, are ASSUMPTIONS for the demo.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyrosm
import shapely
from pyproj import Transformer
from scipy.cluster.vq import kmeans2

from emob_sim.config.models import NetworkConfig
from emob_sim.region.bike import load_bike_network

EXTRACT = "test_pbf"
CRS_M = "EPSG:3067"  # ETRS-TM35FIN, metres
ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
#: ASSUMED residents per building by OSM building tag (Finnish households: about 2 persons;
#: detached houses 2.5; a terrace (rivitalo) about 4 dwellings; a block of flats about 30)
RESIDENTS = {"residential": 2.5, "house": 2.5, "detached": 2.5, "semidetached_house": 5.0,
             "terrace": 8.0, "apartments": 30.0}  # fmt: skip
#: (OSM id, site_id, kind, plugs, power_kw) of the demo sites
SITES = [
    (894396069, "car-neste", "car_dc", 2, 50.0),
    (960200411, "car-teboil", "car_dc", 2, 50.0),
    (4891814772, "car-malminki-parking", "car_ac", 2, 22.0),
    (180464603, "ebike-helila-school", "ebike", 6, 0.5),
    (1324225782, "ebike-erkinkulma-shop", "ebike", 4, 0.5),
    (4891821852, "ebike-malminki-training", "ebike", 6, 0.5),
]


def _osm() -> pyrosm.OSM:
    return pyrosm.OSM(pyrosm.get_data(EXTRACT), progress=False)


def build_zones(n_zones: int) -> pd.DataFrame:
    """Zones from clusters of bike network nodes (see the module docstring)."""
    bike = load_bike_network(NetworkConfig(source="file", pyrosm_extract=EXTRACT), speed_kph=18)
    to_m = Transformer.from_crs("EPSG:4326", CRS_M, always_xy=True)
    x, y = to_m.transform(bike.lon, bike.lat)
    xy = np.column_stack([x, y])
    centres, label = kmeans2(xy, n_zones, seed=np.random.default_rng(0), minit="++")
    # order zones west to east for stable ids
    order = np.argsort(centres[:, 0])
    rank = np.empty(n_zones, dtype=int)
    rank[order] = np.arange(n_zones)
    label = rank[label]
    centres = centres[order]
    centre_node = np.array(
        [np.flatnonzero(label == z)[np.argmin(((xy[label == z] - c) ** 2).sum(1))]
         for z, c in enumerate(centres)]
    )  # fmt: skip
    area_km2 = np.array(
        [shapely.MultiPoint(xy[label == z]).convex_hull.area / 1e6 for z in range(n_zones)]
    )

    osm = _osm()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        buildings = osm.get_buildings()
        pois = osm.get_pois(custom_filter={"amenity": True, "shop": True, "place": True})
    places = pois[pois["place"].notna() & pois["name"].notna()]
    buildings = buildings[buildings["building"].isin(list(RESIDENTS))]
    b_xy = np.column_stack(to_m.transform(*shapely.get_coordinates(
        buildings.geometry.representative_point().to_numpy()).T))  # fmt: skip
    nearest = np.argmin(((b_xy[:, None, :] - xy[centre_node][None]) ** 2).sum(-1), axis=1)
    residents = buildings["building"].map(RESIDENTS).to_numpy(dtype=float)
    population = np.round(np.bincount(nearest, weights=residents, minlength=n_zones))

    p_xy = np.column_stack(to_m.transform(*shapely.get_coordinates(places.geometry).T))
    names = []
    for z in range(n_zones):
        name = str(places["name"].iloc[np.argmin(((p_xy - xy[centre_node[z]]) ** 2).sum(1))])
        names.append(name if name not in names else f"{name} {names.count(name) + 1}")
    return pd.DataFrame(
        {
            "zone_id": [f"z{z + 1}" for z in range(n_zones)],
            "name": names,
            "kind": "zone",
            "lon": np.round(bike.lon[centre_node], 7),
            "lat": np.round(bike.lat[centre_node], 7),
            "population": population.astype(int),
            "area_km2": np.round(np.maximum(area_km2, 0.05), 3),
            "municipality": "Kotka",
            "source": (
                f"zone = k-means cluster of bike network nodes of pyrosm {EXTRACT} "
                f"({ATTRIBUTION}); "
                "centre = network node nearest the cluster mean; name = nearest OSM place node; "
                "area = convex hull of the nodes; population = residential buildings nearest "
                "the centre x ASSUMED residents per building (scripts/build_demo_zones.py)"
            ),
        }
    )


def build_sites() -> pd.DataFrame:
    """The demo's car and e-bike sites at OSM features of the extract."""
    osm = _osm()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pois = osm.get_pois(custom_filter={"amenity": True, "shop": True})
    pois = pois.set_index("id")
    rows = []
    for osm_id, site_id, kind, plugs, power_kw in SITES:
        poi = pois.loc[osm_id]
        point = poi.geometry.representative_point()
        what = poi["amenity"] if isinstance(poi["amenity"], str) else f"shop={poi['shop']}"
        rows.append(
            {
                "site_id": site_id,
                "name": str(poi["name"]),
                "kind": kind,
                "lon": round(point.x, 7),
                "lat": round(point.y, 7),
                "plugs": plugs,
                "power_kw": power_kw,
                "source": (
                    f"location: OpenStreetMap {poi['osm_type']} {osm_id} ({what}) in pyrosm "
                    f"{EXTRACT}, {ATTRIBUTION}; ASSUMPTION: a {kind} charging site here with "
                    f"{plugs} x {power_kw:g} kW (demo, not a real charger)"
                ),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--zones", type=int, default=6, help="number of zones (default 6)")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    zones = build_zones(args.zones)
    zones.to_csv(args.out_dir / "kouvola_zones.csv", index=False, encoding="utf-8")
    build_sites().to_csv(args.out_dir / "kouvola_sites.csv", index=False, encoding="utf-8")
    print(zones[["zone_id", "name", "population", "area_km2"]].to_string(index=False))


if __name__ == "__main__":
    main()
