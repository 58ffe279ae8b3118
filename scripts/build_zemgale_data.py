"""Build the project's Zemgale data tables from the collected public facts.

Usage::

    python scripts/build_zemgale_data.py /work/shared/data/zemgale data/zemgale

Reads the facts folder (nodes.csv, roads.csv, regional_links.csv, chargers_known.csv,
calibration.csv; see its README.md) and the dwelling figures kept by hand in
data/zemgale/dwellings.csv (``--dwellings``), and writes, into the output folder, nodes.csv,
links.csv, zones.csv, sites_known.csv and calibration.csv (copied unchanged). The output is
deterministic: running the script again reproduces the files byte for byte.
data/zemgale/README.md is kept by hand and describes the files.

Rules applied (also in data/zemgale/README.md):

- links: one row per pair of consecutive nodes of a roads.csv sequence, then one per
  regional_links.csv row; a pair already present (in either direction) is skipped, so the
  first, higher-class road wins.
- the Daugava may be crossed only at Rīga, Aizkraukle and Jēkabpils: a link joining a
  left-bank node to a right-bank node must touch one of them, else the build fails.
- a known charger farther than ``CHARGER_WAYPOINT_KM`` from every node gets a derived
  waypoint at its closest point on the nearest link, which is split there (otherwise it could
  not be snapped to the strategic network).
- a zone's ``apartment_share`` (share of residents in multi-apartment buildings, which sets its
  home-charging share) is the ``dwellings.csv`` row of ``DWELLINGS_BY_ZONE``, else
  ``DWELLINGS_DEFAULT``; the ASSUMPTIONS this takes are written into ``apartment_share_source``.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import numpy as np
from osmnx.distance import great_circle

#: nodes where a link may join the left and the right bank of the Daugava
ALLOWED_CROSSINGS = ("Rīga", "Aizkraukle", "Jēkabpils")
#: a charger farther than this from every node gets a derived waypoint on its nearest link
CHARGER_WAYPOINT_KM = 5.0
#: population of Rīga: "about 0.6 million" in the facts (nodes.csv note)
RIGA_POPULATION = 600_000
#: ASSUMPTION for chargers without known plugs and power (OpenStreetMap AC sites)
AC_PLUGS, AC_POWER_KW = 2, 22.0
#: ASSUMPTION for the CSDD e-mobi fast charger: one DC car at a time
DC_PLUGS = 1

OSM = "OpenStreetMap place node (snapshot 2019-09), © OpenStreetMap contributors, ODbL 1.0"
POP_SOURCE = "population and area 1 Jan 2017: zemgale.lv 'Zemgale skaitļos' (CSB data)"
#: population of the post-2021 municipalities on 1 Jan 2022 (the facts' README: Wikipedia
#: "Zemgale Planning Region"). The former municipalities, the zones, are no longer published;
#: each zone's 2017 population is scaled by its municipality's 2022 / 2017 ratio.
POPULATION_2022 = {
    "Jelgava (state city)": 54_694,
    "Bauskas novads": 41_392,
    "Jēkabpils novads": 39_984,
    "Jelgavas novads": 31_899,
    "Aizkraukles novads": 29_055,
    "Dobeles novads": 27_993,
}
#: the dwelling figures (kept by hand beside the built files)
DWELLINGS_FILE = Path(__file__).resolve().parents[1] / "data" / "zemgale" / "dwellings.csv"
#: zone -> (row of dwellings.csv, the ASSUMPTION taken); no figure per former municipality
#: was found, see data/zemgale/README.md "Home charging"
_DWELLINGS_AS_RESIDENTS = "ASSUMPTION: the share of dwellings stands for the share of residents"
DWELLINGS_BY_ZONE = {
    "Jelgava": ("Jelgava (state city)", _DWELLINGS_AS_RESIDENTS),
    "Jēkabpils": (
        "Jelgava (state city)",
        f"ASSUMPTION: as Jelgava, the region's other city (no figure found for Jēkabpils); "
        f"{_DWELLINGS_AS_RESIDENTS}",
    ),
}
#: every other zone of kind 'zone': a small town with its rural parishes
DWELLINGS_DEFAULT = (
    "Latvia, rural areas",
    "ASSUMPTION: a zone (a small town and its rural parishes) is like Latvia's rural areas "
    "(no figure per municipality found)",
)
POP_2022_SOURCE = (
    "scaled to 1 Jan 2022 by its municipality's total (Wikipedia 'Zemgale Planning Region')"
)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def fmt(x: float) -> str:
    """Shortest exact text of a float (deterministic)."""
    return repr(float(x))


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def closest_point_on_segment(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> tuple[float, float]:
    """Closest point to ``p`` on segment ``a``-``b`` (lon, lat), in a local flat projection."""
    k = np.cos(np.deg2rad((a[1] + b[1]) / 2))
    ax, ay, bx, by, px, py = a[0] * k, a[1], b[0] * k, b[1], p[0] * k, p[1]
    t = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)
    t = min(max(t, 0.0), 1.0)
    return (ax + t * (bx - ax)) / k, ay + t * (by - ay)


def build_nodes(facts: list[dict[str, str]]) -> list[dict[str, object]]:
    nodes = []
    for i, r in enumerate(facts, start=1):
        source = OSM
        if r["note"].startswith("APPROXIMATE"):
            source = f"{r['note']} (not an OSM node)"
        nodes.append(
            {
                "node_id": i,
                "name": r["node"],
                "kind": r["kind"],
                "lon": fmt(float(r["lon"])),
                "lat": fmt(float(r["lat"])),
                "bank": r["bank"],
                "source": source,
            }
        )
    return nodes


def build_links(
    roads: list[dict[str, str]], regional: list[dict[str, str]], names: set[str]
) -> list[dict[str, object]]:
    links: list[dict[str, object]] = []
    seen: set[frozenset[str]] = set()

    def add(a: str, b: str, **attrs: str) -> None:
        for n in (a, b):
            if n not in names:
                sys.exit(f"link {a}-{b}: node {n!r} is not in nodes.csv")
        pair = frozenset((a, b))
        if pair in seen:
            print(f"skipped duplicate link {a}-{b} ({attrs['source']})")
            return
        seen.add(pair)
        links.append({"a": a, "b": b, **attrs})

    for r in roads:
        seq = [s.strip() for s in r["sequence"].split(">")]
        for a, b in zip(seq, seq[1:]):
            add(
                a,
                b,
                highway=r["class"],
                ref=r["road"],
                euro=r["euro"],
                confidence=r["confidence"],
                source=f"roads.csv {r['road']}: {r['note']}",
            )
    for r in regional:
        add(
            r["a"],
            r["b"],
            highway=r["class"],
            ref="",
            euro="",
            confidence=r["confidence"],
            source=f"regional_links.csv: {r['note']}",
        )
    return links


def add_charger_waypoints(
    nodes: list[dict[str, object]], links: list[dict[str, object]], chargers: list[dict[str, str]]
) -> None:
    """Give every charger far from all nodes a waypoint on its nearest link (in place)."""
    by_name = {n["name"]: n for n in nodes}
    lon = np.array([float(n["lon"]) for n in nodes])
    lat = np.array([float(n["lat"]) for n in nodes])
    for c in chargers:
        if not c["lat"]:
            continue
        p = (float(c["lon"]), float(c["lat"]))
        if great_circle(p[1], p[0], lat, lon).min() / 1000 <= CHARGER_WAYPOINT_KM:
            continue
        best = None
        for i, link in enumerate(links):
            a, b = by_name[link["a"]], by_name[link["b"]]
            q = closest_point_on_segment(
                p, (float(a["lon"]), float(a["lat"])), (float(b["lon"]), float(b["lat"]))
            )
            d = great_circle(p[1], p[0], q[1], q[0])
            if best is None or d < best[0]:
                best = (d, i, q)
        d, i, q = best
        link = links[i]
        a, b = by_name[link["a"]], by_name[link["b"]]
        name = f"{link['a']}–{link['b']} ({c['name']} charger)"
        nodes.append(
            {
                "node_id": len(nodes) + 1,
                "name": name,
                "kind": "waypoint",
                "lon": fmt(round(q[0], 5)),
                "lat": fmt(round(q[1], 5)),
                "bank": a["bank"] if a["bank"] != "both" else b["bank"],
                "source": f"DERIVED: closest point of the {link['a']}–{link['b']} link to the "
                f"charger '{c['name']}' ({d / 1000:.1f} km away), which is "
                f"{CHARGER_WAYPOINT_KM:g}+ km from every node",
            }
        )
        note = f"; split at the derived waypoint '{name}'"
        first = {**link, "b": name, "source": str(link["source"]) + note}
        second = {**link, "a": name, "source": str(link["source"]) + note}
        links[i : i + 1] = [first, second]
        by_name[name] = nodes[-1]


def check_daugava(nodes: list[dict[str, object]], links: list[dict[str, object]]) -> None:
    bank = {n["name"]: n["bank"] for n in nodes}
    for n, b in bank.items():
        if b not in ("left", "right", "both"):
            sys.exit(f"node {n!r}: bank must be left, right or both, got {b!r}")
        if b == "both" and n not in ALLOWED_CROSSINGS:
            sys.exit(f"node {n!r} is on both banks but is not a crossing {ALLOWED_CROSSINGS}")
    for link in links:
        if {bank[link["a"]], bank[link["b"]]} == {"left", "right"} and not (
            {link["a"], link["b"]} & set(ALLOWED_CROSSINGS)
        ):
            sys.exit(
                f"link {link['a']}-{link['b']} crosses the Daugava away from {ALLOWED_CROSSINGS}"
            )


def add_straight_km(nodes: list[dict[str, object]], links: list[dict[str, object]]) -> None:
    by_name = {n["name"]: n for n in nodes}
    for link in links:
        a, b = by_name[link["a"]], by_name[link["b"]]
        m = great_circle(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))
        link["straight_km"] = f"{m / 1000:.3f}"


def population_scale(facts: list[dict[str, str]]) -> dict[str, float]:
    """Per post-2021 municipality: its 2022 population over the 2017 sum of its zones."""
    total_2017: dict[str, int] = {}
    for r in facts:
        if r["kind"] == "zone_centre":
            m = r["municipality_2021"]
            total_2017[m] = total_2017.get(m, 0) + int(r["population"])
    if set(total_2017) != set(POPULATION_2022):
        sys.exit(f"municipalities {sorted(total_2017)} do not match {sorted(POPULATION_2022)}")
    return {m: POPULATION_2022[m] / total for m, total in total_2017.items()}


def apartment_share(zone: str, dwellings: list[dict[str, str]]) -> tuple[str, str]:
    """The apartment share of a zone (text) and its source, from the dwelling figures."""
    rows = {r["geography"]: r for r in dwellings}
    geography, assumption = DWELLINGS_BY_ZONE.get(zone, DWELLINGS_DEFAULT)
    if geography not in rows:
        sys.exit(
            f"dwellings: no row {geography!r} for zone {zone!r}, expected one of {sorted(rows)}"
        )
    r = rows[geography]
    share = float(r["apartment_share"])
    if not 0.0 <= share <= 1.0:
        sys.exit(f"dwellings: {geography}: apartment_share must be in [0, 1], got {share}")
    return fmt(share), f"{geography}, {r['year']}: {r['measure']}: {r['source']}; {assumption}"


def build_zones(
    facts: list[dict[str, str]], dwellings: list[dict[str, str]]
) -> list[dict[str, object]]:
    zones = []
    scale = population_scale(facts)
    for r in facts:
        base = {
            "zone_id": r["node"],
            "name": r["node"],
            "lon": fmt(float(r["lon"])),
            "lat": fmt(float(r["lat"])),
        }
        if r["kind"] == "zone_centre":
            where = r["note"] if r["note"].startswith("APPROXIMATE") else f"centre: {OSM}"
            share, share_source = apartment_share(r["node"], dwellings)
            zones.append(
                {
                    **base,
                    "kind": "zone",
                    "population": round(int(r["population"]) * scale[r["municipality_2021"]]),
                    "area_km2": r["area_km2"],
                    "municipality": r["municipality_2021"],
                    "apartment_share": share,
                    "apartment_share_source": share_source,
                    "source": f"{POP_SOURCE}, {POP_2022_SOURCE} (x "
                    f"{scale[r['municipality_2021']]:.4f}); {where}",
                }
            )
        elif r["node"] == "Rīga":
            zones.append(
                {
                    **base,
                    "kind": "external",
                    "population": RIGA_POPULATION,
                    "area_km2": 0,
                    "municipality": "",
                    "apartment_share": "",
                    "apartment_share_source": "",
                    "source": f"population: 'about 0.6 million' in the facts, rounded to "
                    f"{RIGA_POPULATION}; area unknown (0); centre: {OSM}",
                }
            )
        elif r["kind"] in ("gateway", "external"):
            zones.append(
                {
                    **base,
                    "kind": "gateway",
                    "population": 0,
                    "area_km2": 0,
                    "municipality": "",
                    "apartment_share": "",
                    "apartment_share_source": "",
                    "source": f"gateway for through traffic, no population in the facts: "
                    f"{r['note']}; {OSM}",
                }
            )
    return zones


def build_sites(
    chargers: list[dict[str, str]], facts_nodes: list[dict[str, str]]
) -> list[dict[str, object]]:
    centre = {r["node"]: r for r in facts_nodes}
    sites = []
    for c in chargers:
        osm_id = re.search(r"node (\d+)", c["source"])
        site_id = f"osm-{osm_id.group(1)}" if osm_id else slug(f"{c['operator']} {c['name']}")
        notes = [c["source"], f"confidence {c['confidence']}"]
        if c["lat"]:
            lon, lat = float(c["lon"]), float(c["lat"])
        else:
            lon, lat = float(centre[c["name"]]["lon"]), float(centre[c["name"]]["lat"])
            notes.append(
                f"APPROXIMATE location: placed at the {c['name']} centre "
                "(no coordinates in the source)"
            )
        if c["power_kw"] and float(c["power_kw"]) >= 50:
            kind, plugs, power = "car_dc", DC_PLUGS, float(c["power_kw"])
            notes.append(
                f"power {power:g} kW DC from the source (CSDD fast chargers are the 50 kW "
                f"class); ASSUMPTION: {plugs} DC plug"
            )
        else:
            kind, plugs, power = "car_ac", AC_PLUGS, AC_POWER_KW
            notes.append(f"ASSUMPTION: {plugs} plugs x {power:g} kW AC (not in the source)")
        name = f"{c['name']} ({c['operator']})" if c["operator"] else c["name"]
        sites.append(
            {
                "site_id": site_id,
                "name": name,
                "kind": kind,
                "lon": fmt(lon),
                "lat": fmt(lat),
                "plugs": plugs,
                "power_kw": fmt(power),
                "source": "; ".join(notes),
            }
        )
    return sites


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("facts_dir", type=Path, help="folder with the collected facts")
    parser.add_argument("out_dir", type=Path, help="output folder (e.g. data/zemgale)")
    parser.add_argument(
        "--dwellings", type=Path, default=DWELLINGS_FILE, help="the dwelling figures (CSV)"
    )
    args = parser.parse_args(argv)
    facts, out = args.facts_dir, args.out_dir
    out.mkdir(parents=True, exist_ok=True)

    facts_nodes = read_csv(facts / "nodes.csv")
    chargers = read_csv(facts / "chargers_known.csv")
    nodes = build_nodes(facts_nodes)
    links = build_links(
        read_csv(facts / "roads.csv"),
        read_csv(facts / "regional_links.csv"),
        {str(n["name"]) for n in nodes},
    )
    add_charger_waypoints(nodes, links, chargers)
    check_daugava(nodes, links)
    add_straight_km(nodes, links)

    write_csv(out / "nodes.csv", ["node_id", "name", "kind", "lon", "lat", "bank", "source"], nodes)
    write_csv(
        out / "links.csv",
        ["a", "b", "highway", "ref", "euro", "confidence", "straight_km", "source"],
        links,
    )
    write_csv(
        out / "zones.csv",
        [
            "zone_id",
            "name",
            "kind",
            "lon",
            "lat",
            "population",
            "area_km2",
            "municipality",
            "apartment_share",
            "apartment_share_source",
            "source",
        ],
        build_zones(facts_nodes, read_csv(args.dwellings)),
    )
    write_csv(
        out / "sites_known.csv",
        ["site_id", "name", "kind", "lon", "lat", "plugs", "power_kw", "source"],
        build_sites(chargers, facts_nodes),
    )
    shutil.copyfile(facts / "calibration.csv", out / "calibration.csv")
    print(f"wrote {len(nodes)} nodes, {len(links)} links to {out}")


if __name__ == "__main__":
    main()
