"""The Zemgale strategic network: data files, the build script, graph building, calibration."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from emob_sim.errors import DataError, InputFileNotFoundError
from emob_sim.network.strategic import build_strategic_graph, calibrate_detour_factor

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "zemgale"
FACTS = REPO.parent / "shared" / "data" / "zemgale"
BUILT_FILES = ["nodes.csv", "links.csv", "zones.csv", "sites_known.csv", "calibration.csv"]
CROSSINGS = {"Rīga", "Aizkraukle", "Jēkabpils"}


def _node_of(G: nx.MultiDiGraph) -> dict[str, int]:
    return {name: n for n, name in G.nodes(data="name")}


@pytest.mark.skipif(not FACTS.is_dir(), reason="the facts folder ../shared/data/zemgale is absent")
def test_build_script_reproduces_committed_files(tmp_path):
    script = REPO / "scripts" / "build_zemgale_data.py"
    subprocess.run(
        [sys.executable, str(script), str(FACTS), str(tmp_path)], check=True, capture_output=True
    )
    for name in BUILT_FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_daugava_crossed_only_at_riga_aizkraukle_jekabpils():
    nodes = pd.read_csv(DATA / "nodes.csv")
    links = pd.read_csv(DATA / "links.csv")
    bank = dict(zip(nodes["name"], nodes["bank"]))
    assert set(nodes.loc[nodes["bank"] == "both", "name"]) <= CROSSINGS
    crossing = [
        (a, b) for a, b in zip(links["a"], links["b"]) if {bank[a], bank[b]} == {"left", "right"}
    ]
    assert crossing, "the P87/P76 links at Aizkraukle cross the river"
    assert all({a, b} & CROSSINGS for a, b in crossing), crossing
    # without the crossing places the two banks fall apart
    G = nx.Graph(list(zip(links["a"], links["b"])))
    G.remove_nodes_from(CROSSINGS)
    for component in nx.connected_components(G):
        assert len({bank[n] for n in component}) == 1, component


def test_calibrated_graph_matches_published_distances():
    G = build_strategic_graph(DATA, detour_factor=None)
    factor = G.graph["detour_factor"]
    assert 1.05 < factor < 1.3  # the facts: road / straight line between 1.11 and 1.26
    node = _node_of(G)
    cal = pd.read_csv(DATA / "calibration.csv")
    for a, b, road_km in zip(cal["from"], cal["to"], cal["road_km"]):
        km = nx.shortest_path_length(G, node[a], node[b], weight="length") / 1000
        assert km == pytest.approx(road_km, rel=0.10), (a, b)


def test_graph_shape_and_fixed_detour_factor():
    G1 = build_strategic_graph(DATA, detour_factor=1.0)
    G2 = build_strategic_graph(DATA, detour_factor=2.0)
    links = pd.read_csv(DATA / "links.csv", keep_default_na=False)
    assert G1.graph["crs"] == "EPSG:4326"
    assert G1.number_of_nodes() == len(pd.read_csv(DATA / "nodes.csv"))
    assert G1.number_of_edges() == 2 * len(links)
    node = _node_of(G1)
    riga = G1.nodes[node["Rīga"]]
    assert (riga["x"], riga["y"]) == (24.1052, 56.9494)
    for u, v, k, data in G1.edges(keys=True, data=True):
        assert G1.has_edge(v, u)
        assert data["highway"] in {"trunk", "primary", "secondary", "tertiary"}
        assert "speed_kph" not in data
        assert G2.edges[u, v, k]["length"] == pytest.approx(2 * data["length"])
    a8 = G1.get_edge_data(node["Rīga"], node["Olaine"])[0]
    assert a8["ref"] == "A8" and a8["length"] == pytest.approx(20520, abs=1)


def test_calibrate_detour_factor_recovers_exact_factor():
    G = build_strategic_graph(DATA, detour_factor=1.0)
    node = _node_of(G)
    pairs = [("Rīga", "Jelgava"), ("Jelgava", "Dobele"), ("Bauska", "Aizkraukle")]
    km = [nx.shortest_path_length(G, node[a], node[b], weight="length") / 1000 for a, b in pairs]
    cal = pd.DataFrame(
        {
            "from": [a for a, _ in pairs],
            "to": [b for _, b in pairs],
            "road_km": [1.2 * k for k in km],
        }
    )
    assert calibrate_detour_factor(G, cal) == pytest.approx(1.2)
    with pytest.raises(DataError, match="'Tallinn' is not a network node"):
        calibrate_detour_factor(G, cal.assign(to=["Tallinn", "Dobele", "Aizkraukle"]))


@pytest.fixture
def data_copy(tmp_path) -> Path:
    for name in ("nodes.csv", "links.csv", "calibration.csv"):
        shutil.copyfile(DATA / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "match"),
    [
        (
            "nodes.csv",
            "node_id,name,kind,lon,lat",
            "node_id,name,kind,lon,latitude",
            r"nodes.csv: column 'lat' is missing",
        ),
        (
            "nodes.csv",
            "23.7339,56.6514",
            "23.7339,north",
            r"nodes.csv: row 2: lat must be a number in \[-90, 90\], got 'north'",
        ),
        ("nodes.csv", "2,Jēkabpils,", "1,Jēkabpils,", r"row 3: node_id 1 is not unique"),
        (
            "links.csv",
            "Rīga,Olaine,trunk",
            "Rīga,Olaines,trunk",
            r"links.csv: row 2: b 'Olaines' is not a node name",
        ),
        ("links.csv", "Rīga,Olaine,trunk", "Rīga,Olaine,", r"links.csv: row 2: highway is empty"),
        (
            "calibration.csv",
            "Rīga,Jelgava,47",
            "Rīga,Jelgava,-47",
            r"calibration.csv: row 2: road_km must be a number",
        ),
    ],
)
def test_bad_tables_raise_data_error(data_copy, file, old, new, match):
    _edit(data_copy / file, old, new)
    with pytest.raises(DataError, match=match):
        build_strategic_graph(data_copy, detour_factor=None)


def test_missing_calibration_file(data_copy):
    (data_copy / "calibration.csv").unlink()
    assert build_strategic_graph(data_copy, detour_factor=1.2).graph["detour_factor"] == 1.2
    with pytest.raises(InputFileNotFoundError, match="calibration.csv: file not found"):
        build_strategic_graph(data_copy, detour_factor=None)
