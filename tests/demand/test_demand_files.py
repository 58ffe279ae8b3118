"""Demand from files (``demand.source``: ``od_matrix``, ``trips``) on the embedded Zemgale
scenario: OD counts per zone pair, a trip table replayed exactly, a one-site arrival stream,
and bad rows refused by the CLI with the row named and nothing written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import emob_sim
from emob_sim.cli import app
from emob_sim.config.models import OD_DEPARTURE_PROFILE
from emob_sim.demand import generate_demand
from emob_sim.errors import DataError
from emob_sim.region import build_region
from emob_sim.runner.stages import resolve_scenario

runner = CliRunner()

#: (origin, destination, trips_per_day): fractional counts, an intrazonal pair, a trip to the
#: external zone, one from a gateway
OD_ROWS = [
    ("Jelgava", "Rīga", 180.0),
    ("Rīga", "Jelgava", 150.5),
    ("Bauska", "Jelgava", 40.25),
    ("Dobele", "Dobele", 25.7),
    ("Jēkabpils", "Aizkraukle", 12.0),
    ("Tukums", "Jelgava", 3.4),
    ("Auce", "Bauska", 0.0),
]


@pytest.fixture(scope="module")
def zemgale():
    scenario = resolve_scenario(None)
    return scenario, build_region(scenario)


def _scenario(*overrides: str):
    return resolve_scenario(None, overrides=list(overrides))


def _od_file(tmp_path, rows=OD_ROWS, name="od.csv"):
    path = tmp_path / name
    frame = pd.DataFrame(rows, columns=["origin", "destination", "trips_per_day"])
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


def _pairs(demand, region) -> pd.Series:
    """Trips per (origin zone_id, destination zone_id) of the file's vehicles."""
    trips = demand.trips[demand.trips["purpose"] != "through"]
    zone_id = region.zones["zone_id"].to_numpy(dtype=object)
    keys = zip(zone_id[trips["origin"]], zone_id[trips["dest"]], strict=True)
    return pd.Series(list(keys), dtype=object).value_counts()


def test_od_matrix_trips_per_pair_match_the_matrix(zemgale, tmp_path):
    """Stochastic rounding per pair and day: every day's count of a pair is its expectation
    rounded down or up, so over D days a pair is less than D trips away from D x count, and
    the mean over seeds is the expectation (checked within 4 standard deviations)."""
    _, region = zemgale
    days = 3
    path = _od_file(tmp_path)
    scenario = _scenario(
        "demand.source=od_matrix",
        f"demand.od_file={path}",
        "demand.od_ev_share=1",
        f"time.days={days}",
    )
    expected = {(o, d): n * days for o, d, n in OD_ROWS}
    seeds = range(12)
    totals = {pair: [] for pair in expected}
    hours = []
    for seed in seeds:
        demand = generate_demand(scenario, region, np.random.SeedSequence(seed))
        counts = _pairs(demand, region)
        assert set(counts.index) <= set(expected)
        for pair, n in expected.items():
            got = int(counts.get(pair, 0))
            assert abs(got - n) < days, (pair, got, n)
            totals[pair].append(got)
        trips = demand.trips[demand.trips["purpose"] != "through"]
        hours.append((trips["depart_s"].to_numpy() % 86_400) // 3600)
        # one vehicle per OD trip, drawn as the fleet
        vid = trips["vehicle_id"].to_numpy()
        assert np.array_equal(np.sort(vid), np.arange(len(trips)))
        veh = demand.vehicles.iloc[vid]
        assert np.array_equal(veh["home_zone"].to_numpy(), trips["origin"].to_numpy())
        assert veh["resident"].all()
        assert np.allclose(veh.loc[veh["home_charging"], "initial_soc"], 0.9)
    for pair, n in expected.items():
        frac = n / days - np.floor(n / days)
        sd = np.sqrt(days * frac * (1 - frac) / len(seeds))
        assert abs(np.mean(totals[pair]) - n) <= 4 * sd + 1e-9, (pair, totals[pair], n)
    # departure hours follow the profile (multinomial, 4 standard deviations per hour)
    hour = np.concatenate(hours).astype(int)
    p = np.asarray(OD_DEPARTURE_PROFILE) / sum(OD_DEPARTURE_PROFILE)
    got = np.bincount(hour, minlength=24)
    n_all = got.sum()
    assert np.all(np.abs(got - n_all * p) <= 4 * np.sqrt(n_all * p * (1 - p)) + 1)


def test_od_matrix_simulated_trips_and_ev_share(zemgale, tmp_path):
    """A run of an OD demand: its trips are generated = completed + stranded, per pair within
    rounding of the matrix times fleet.ev_share (od_ev_share null) or times 1."""
    _, region = zemgale
    path = _od_file(tmp_path, name="od.parquet")
    scenario = _scenario(
        "demand.source=od_matrix", f"demand.od_file={path}", "demand.od_ev_share=1"
    )
    result = emob_sim.run(scenario, region=region)
    kpis = result.kpis
    assert kpis["trips_generated"] == kpis["trips_completed"] + kpis["trips_stranded"]
    assert kpis["trips_generated"] == len(result.sim.trips) == len(result.demand.trips)
    counts = _pairs(result.demand, region)
    for o, d, n in OD_ROWS:
        assert abs(int(counts.get((o, d), 0)) - n) < 1
    share = scenario.fleet.ev_share
    default = _scenario("demand.source=od_matrix", f"demand.od_file={path}")
    counts = _pairs(generate_demand(default, region, np.random.SeedSequence(1)), region)
    for o, d, n in OD_ROWS:
        assert abs(int(counts.get((o, d), 0)) - n * share) < 1


def test_od_matrix_by_hour(zemgale, tmp_path):
    _, region = zemgale
    path = tmp_path / "od_hourly.csv"
    path.write_text(
        "origin,destination,hour,trips\nJelgava,Rīga,7,30.5\nJelgava,Rīga,17,10\n"
        "Bauska,Dobele,0,4\n",
        encoding="utf-8",
    )
    scenario = _scenario(
        "demand.source=od_matrix",
        f"demand.od_file={path}",
        "demand.od_ev_share=1",
        "time.days=2",
    )
    demand = generate_demand(scenario, region, np.random.SeedSequence(3))
    trips = demand.trips[demand.trips["purpose"] != "through"]
    hour = (trips["depart_s"].to_numpy() % 86_400) // 3600
    zone_id = region.zones["zone_id"].to_numpy(dtype=object)
    pair = zone_id[trips["origin"]] + ">" + zone_id[trips["dest"]]
    table = pd.Series(list(zip(pair, hour, strict=True))).value_counts()
    assert abs(table[("Jelgava>Rīga", 7)] - 61) < 2
    assert table[("Jelgava>Rīga", 17)] == 20
    assert table[("Bauska>Dobele", 0)] == 8
    assert len(trips) == table.sum()


#: rows of a car need not be in time order: they are replayed by departure
TRIP_HEADER_ALL = (
    "vehicle,depart_s,day,depart_time,origin,origin_lon,origin_lat,destination,dest_lon,"
    "dest_lat,vehicle_type,initial_soc\n"
)
TRIP_TABLE = (
    TRIP_HEADER_ALL
    + """car-A,,0,07:30,Jelgava,,,Rīga,,,suv_77,0.9
car-B,28800,,,,23.7349,56.6520,,24.1900,56.4100,,
car-A,,1,08:00,Jelgava,,,Ozolnieki,,,suv_77,
car-C,,1,25:10,Dobele,,,Auce,,,,
car-A,,0,17:45:30,Rīga,,,Jelgava,,,,
car-B,120000,,,Bauska,,,Jelgava,,,,
car-C,,1,06:05,Dobele,,,,23.2900,56.6300,small_40,0.85
"""
)
#: the table's trips as (vehicle label, departure s, origin zone, destination zone)
REPLAY = [
    ("car-A", 7.5 * 3600, "Jelgava", "Rīga"),
    ("car-A", 17 * 3600 + 45 * 60 + 30, "Rīga", "Jelgava"),
    ("car-A", 86_400 + 8 * 3600, "Jelgava", "Ozolnieki"),
    ("car-B", 28_800, "Jelgava", "Bauska"),
    ("car-B", 120_000, "Bauska", "Jelgava"),
    ("car-C", 86_400 + 6 * 3600 + 5 * 60, "Dobele", "Dobele"),
    ("car-C", 2 * 86_400 + 3600 + 10 * 60, "Dobele", "Auce"),
]


def test_trip_table_replayed_exactly(zemgale, tmp_path):
    _, region = zemgale
    path = tmp_path / "trips.csv"
    path.write_text(TRIP_TABLE, encoding="utf-8")
    scenario = _scenario("demand.source=trips", f"demand.trips_file={path}", "time.days=3")
    result = emob_sim.run(scenario, region=region, out_dir=tmp_path / "run")
    written = pd.read_parquet(tmp_path / "run" / "trips.parquet")
    demand = result.demand
    zone_index = {z: i for i, z in enumerate(region.zones["zone_id"])}
    labels = ["car-A", "car-B", "car-C"]  # numbered by their first row
    expected = pd.DataFrame(
        {
            "vehicle_id": [labels.index(v) for v, *_ in REPLAY],
            "depart_s": [t for _, t, _, _ in REPLAY],
            "origin": [zone_index[o] for *_, o, _ in REPLAY],
            "dest": [zone_index[d] for *_, d in REPLAY],
        }
    )
    file_trips = demand.trips[demand.trips["purpose"] != "through"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        file_trips[["vehicle_id", "depart_s", "origin", "dest"]], expected, check_dtype=False
    )
    # trips.parquet: one row per trip of the demand, same vehicles, all accounted for
    assert written["trip_id"].tolist() == demand.trips["trip_id"].tolist()
    assert written["vehicle_id"].tolist() == demand.trips["vehicle_id"].tolist()
    mine = written["trip_id"].isin(file_trips["trip_id"])
    assert written.loc[mine, "vehicle_id"].tolist() == expected["vehicle_id"].tolist()
    assert written.loc[mine, "status"].eq("completed").all()
    # the plan in trips.parquet is the table's: departures and routes (zone ids, as given)
    replayed = written.loc[mine].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        replayed[["vehicle_id", "depart_s", "origin", "dest"]], expected, check_dtype=False
    )
    assert replayed["origin_id"].tolist() == [o for *_, o, _ in REPLAY]
    assert replayed["dest_id"].tolist() == [d for *_, d in REPLAY]
    kpis = result.kpis
    assert kpis["trips_generated"] == kpis["trips_completed"] + kpis["trips_stranded"]
    # the cars departed when the table says (well charged, no trip overlaps the next)
    events = pd.read_parquet(tmp_path / "run" / "events.parquet")
    departs = events[(events["event"] == "depart") & events["trip_id"].isin(file_trips["trip_id"])]
    assert np.allclose(departs.sort_values("trip_id")["time_s"], expected["depart_s"])
    # given types and charges are kept; distances are the region's
    veh = demand.vehicles
    type_ids = np.asarray(demand.type_ids)
    assert type_ids[veh.loc[[0, 2], "type_idx"]].tolist() == ["suv_77", "small_40"]
    assert veh.loc[[0, 2], "initial_soc"].tolist() == [0.9, 0.85]
    km = np.asarray(region.dist_km)[expected["origin"], expected["dest"]]
    assert np.allclose(file_trips["distance_km"], km)
    # the same table under another seed: the same trips (only undrawn attributes change)
    again = generate_demand(scenario, region, np.random.SeedSequence(99))
    other = again.trips[again.trips["purpose"] != "through"].reset_index(drop=True)
    cols = ["vehicle_id", "day", "origin", "dest", "depart_s", "distance_km", "last_of_day"]
    pd.testing.assert_frame_equal(other[cols], file_trips[cols])


def test_one_site_arrival_stream(tmp_path):
    """Only a hub and a trip table of cars arriving there well charged (far above
    charging.comfort_soc): every car queues at the hub on arrival and charges there or gives
    up after charging.max_wait_min (no through traffic, no other site)."""
    hub = "{site_id: hub, kind: car_dc, lon: 23.7339, lat: 56.6514, plugs: 4, power_kw: 150}"
    base = _scenario("charging.sites_file=null", f"charging.sites=[{hub}]")
    region = build_region(base)
    hub_point = region.n_zones  # the only site
    near = np.flatnonzero(np.asarray(region.dist_km)[: region.n_zones, hub_point] <= 20.0)
    zone_ids = region.zones["zone_id"].to_numpy(dtype=object)
    # 24 cars a minute apart: more than 4 plugs can serve, some wait, some give up
    rows = [
        f"v{k},{6 * 3600 + 60 * k},{zone_ids[near[k % near.size]]},hub,compact_58,0.6"
        for k in range(24)
    ]
    path = tmp_path / "arrivals.csv"
    path.write_text(
        "vehicle,depart_s,origin,dest_site,vehicle_type,initial_soc\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    scenario = _scenario(
        "charging.sites_file=null",
        f"charging.sites=[{hub}]",
        "demand.corridors=[]",
        "demand.source=trips",
        f"demand.trips_file={path}",
        "charging.max_wait_min=10",
    )
    result = emob_sim.run(scenario, region=region)
    demand, sim = result.demand, result.sim
    assert len(demand.trips) == 24 and (demand.trips["dest"] == hub_point).all()
    assert not demand.vehicles["resident"].any() and not demand.vehicles["home_charging"].any()
    sessions, gave_up = sim.sessions, sim.abandoned
    assert (sessions["site_id"] == "hub").all() and (gave_up["site_id"] == "hub").all()
    # each arrival charged once or gave up once, there, on arrival
    assert sorted([*sessions["vehicle_id"], *gave_up["vehicle_id"]]) == list(range(24))
    assert len(sessions) == 24 - len(gave_up) and len(gave_up) > 0
    assert (sessions["wait_s"] > 0).sum() > 0 and (sessions["wait_s"].iloc[:4] == 0).all()
    np.testing.assert_allclose(gave_up["wait_s"], 600.0)
    arrive = sim.trips.set_index("trip_id")["arrive_s"]
    np.testing.assert_allclose(sessions["arrive_s"], arrive.loc[sessions["trip_id"]])
    assert (sim.trips["status"] == "completed").all()
    assert result.kpis["charging_sessions"] == len(sessions)


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_TRIP = "a,3600,Jelgava,Rīga,,,,,"
TRIP_HEADER = (
    "vehicle,depart_s,origin,destination,origin_lon,origin_lat,dest_site,vehicle_type,initial_soc\n"
)
BAD_INPUTS = {
    "od unknown zone": (
        "od_matrix",
        "origin,destination,trips_per_day\nJelgava,Rīga,3\nJelgava,Atlantis,2\n",
        "row 3: destination: unknown zone",
    ),
    "od negative count": (
        "od_matrix",
        "origin,destination,trips_per_day\nJelgava,Rīga,-3\n",
        "row 2: trips_per_day: expected a count >= 0, got '-3'",
    ),
    "od hour": (
        "od_matrix",
        "origin,destination,hour,trips\nJelgava,Rīga,7,3\nBauska,Rīga,24,1\n",
        "row 3: hour: expected a whole hour 0-23",
    ),
    "od missing column": (
        "od_matrix",
        "origin,destination,count\nJelgava,Rīga,3\n",
        "column 'trips_per_day' is missing",
    ),
    "departure outside the horizon": (
        "trips",
        TRIP_HEADER + GOOD_TRIP + "\nb,86400,Rīga,Jelgava,,,,,\n",
        "row 3: depart_s: departure at 86400 s is outside the simulated period",
    ),
    "day outside the horizon": (
        "trips",
        "vehicle,day,depart_time,origin,destination\na,0,07:30,Jelgava,Rīga\nb,3,08:00,Rīga,Jelgava\n",
        "row 3: day: departure at 288000 s is outside the simulated period",
    ),
    "negative departure": (
        "trips",
        TRIP_HEADER + "a,-5,Jelgava,Rīga,,,,,\n",
        "row 2: depart_s: departure at -5 s is outside",
    ),
    "coordinates off the network": (
        "trips",
        TRIP_HEADER + GOOD_TRIP + "\nb,3600,,Rīga,21.0,57.9,,,\n",
        "row 3: origin_lon/origin_lat: (21, 57.9) is",
    ),
    "trips unknown zone": (
        "trips",
        TRIP_HEADER + GOOD_TRIP + "\nb,3600,Jelgava,Tallinn,,,,,\n",
        "row 3: destination: unknown zone",
    ),
    "unknown site": (
        "trips",
        TRIP_HEADER + "a,3600,Jelgava,,,,no-such-site,,\n",
        "row 2: dest_site: unknown site",
    ),
    "two destinations": (
        "trips",
        TRIP_HEADER + "a,3600,Jelgava,Rīga,,,osm-3968775686,,\n",
        "row 2: destination: more than one given",
    ),
    "unknown vehicle type": (
        "trips",
        TRIP_HEADER + GOOD_TRIP + "\nb,3600,Jelgava,Rīga,,,,tesla,\n",
        "row 3: vehicle_type: unknown vehicle type",
    ),
    "initial charge out of range": (
        "trips",
        TRIP_HEADER + "a,3600,Jelgava,Rīga,,,,,1.5\n",
        "row 2: initial_soc: expected a value in [0, 1], got '1.5'",
    ),
    "two charges of one car": (
        "trips",
        TRIP_HEADER + "a,3600,Jelgava,Rīga,,,,,0.5\na,7200,Rīga,Jelgava,,,,,0.6\n",
        "row 3: initial_soc: vehicle 'a' has '0.5' on row 2",
    ),
    "bad clock time": (
        "trips",
        "vehicle,depart_time,origin,destination\na,7h30,Jelgava,Rīga\n",
        "row 2: depart_time: expected a clock time",
    ),
    "not a number": (
        "trips",
        TRIP_HEADER + "a,soon,Jelgava,Rīga,,,,,\n",
        "row 2: depart_s: expected a finite number, got 'soon'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_rows_exit_2_naming_the_row_and_write_nothing(tmp_path, case):
    source, text, message = BAD_INPUTS[case]
    key = "od_file" if source == "od_matrix" else "trips_file"
    path = _write(tmp_path, "demand.csv", text)
    out = tmp_path / "out"
    args = ["--set", f"demand.source={source}", "--set", f"demand.{key}={path}", "--quiet"]
    r = runner.invoke(app, ["run", "--out", str(out), *args])
    assert r.exit_code == 2, (r.output, repr(r.exception))
    line = r.output.strip()
    assert "\n" not in line and line.startswith("error:"), line
    assert f"{path}: " in line and message in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demand.csv"]  # nothing written
    v = runner.invoke(app, ["validate", *args])
    assert v.exit_code == 2 and v.output.strip() == line


def test_parquet_rows_are_numbered_like_csv(zemgale, tmp_path):
    _, region = zemgale
    frame = pd.DataFrame(
        {
            "origin": ["Jelgava", "Bauska"],
            "destination": ["Rīga", "Jelgava"],
            "trips_per_day": [2.0, -1.0],
        }
    )
    path = tmp_path / "od.parquet"
    frame.to_parquet(path)
    scenario = _scenario("demand.source=od_matrix", f"demand.od_file={path}")
    with pytest.raises(DataError, match=r"row 3: trips_per_day: expected a count >= 0, got '-1'"):
        generate_demand(scenario, region, np.random.SeedSequence(0))


def test_source_needs_its_file():
    from emob_sim.errors import ConfigError

    with pytest.raises(ConfigError, match="demand.od_file"):
        _scenario("demand.source=od_matrix")
    with pytest.raises(ConfigError, match="demand.trips_file"):
        _scenario("demand.source=trips")
