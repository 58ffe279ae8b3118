"""Scenario loading: extends, overrides, validation errors that name the bad value."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from emob_sim.config import bundled_path, default_scenario_path, load_scenario, parse_override
from emob_sim.errors import ConfigError, InputFileNotFoundError

BASE = bundled_path("configs/base.yaml")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_default_scenario_is_zemgale_baseline_with_resolved_paths():
    sc = load_scenario()
    assert default_scenario_path().name == "baseline.yaml"
    assert sc.name == "zemgale-baseline"
    assert sc.network.source == "strategic"
    for p in (sc.network.strategic_dir, sc.zones.file, sc.charging.sites_file):
        assert Path(p).is_absolute() and Path(p).exists()


def test_extends_merges_sections_key_by_key(tmp_path):
    child = write(
        tmp_path / "child.yaml",
        f"extends: {BASE}\nname: child\nfleet:\n  ev_share: 0.25\n",
    )
    sc = load_scenario(child)
    base = load_scenario(BASE)
    assert sc.name == "child"
    assert sc.fleet.ev_share == 0.25
    # the rest of the fleet section comes from the base file
    assert sc.fleet.vehicle_types == base.fleet.vehicle_types
    assert sc.fleet.cars_per_1000 == base.fleet.cars_per_1000


def test_relative_paths_resolve_against_the_file_that_names_them(tmp_path):
    (tmp_path / "sub").mkdir()
    sites = write(
        tmp_path / "sub" / "sites.csv", "site_id,name,kind,lon,lat,plugs,power_kw,source\n"
    )
    child = write(
        tmp_path / "sub" / "child.yaml",
        f"extends: {BASE}\ncharging:\n  sites_file: sites.csv\n",
    )
    assert Path(load_scenario(child).charging.sites_file) == sites.resolve()


def test_set_overrides_are_parsed_as_yaml_values():
    sc = load_scenario(overrides=["fleet.ev_share=0.2", "time.days=3", "name=x y"])
    assert sc.fleet.ev_share == 0.2
    assert sc.time.days == 3
    assert sc.name == "x y"


def test_seed_argument_replaces_scenario_seed():
    assert load_scenario(seed=7).seed == 7


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("fleet.ev_share=1.4", "fleet.ev_share"),
        ("fleet.ev_sahre=0.2", "fleet.ev_sahre: unknown key"),
        ("time.days=0", "time.days"),
        ("charging.comfort_soc=0.01", "reserve_soc < comfort_soc < target_soc"),
        ("network.source=place", "needs network.place"),
        ("network.source=bbox", "needs network.bbox"),
        ("demand.through_departure_start_h=23", "through_departure_start_h (23.0) must be below"),
        ("demand.through_initial_soc_min=0.95", "through_initial_soc_min (0.95) must not exceed"),
        ("fleet.initial_soc_min=0.95", "initial_soc_min (0.95) must not exceed"),
        ("ebike.initial_soc_max=0.05", "initial_soc_max (0.05)"),
        ("charging.session_prior_min=0", "charging.session_prior_min"),
    ],
)
def test_invalid_values_name_the_key(override, expected):
    with pytest.raises(ConfigError) as info:
        load_scenario(overrides=[override])
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_out_of_range_value_is_shown():
    with pytest.raises(ConfigError, match=r"fleet\.ev_share: .*1\.4"):
        load_scenario(overrides=["fleet.ev_share=1.4"])


def test_malformed_yaml_names_file_and_line(tmp_path):
    bad = write(tmp_path / "bad.yaml", "name: x\nfleet: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: malformed YAML at line \d+"):
        load_scenario(bad)


def test_top_level_must_be_a_mapping(tmp_path):
    bad = write(tmp_path / "list.yaml", "- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_scenario(bad)


def test_missing_scenario_file_and_missing_extends(tmp_path):
    with pytest.raises(InputFileNotFoundError, match="nope.yaml"):
        load_scenario(tmp_path / "nope.yaml")
    child = write(tmp_path / "child.yaml", "extends: gone.yaml\n")
    with pytest.raises(InputFileNotFoundError, match="gone.yaml"):
        load_scenario(child)


def test_missing_data_file_is_reported_before_running(tmp_path):
    with pytest.raises(InputFileNotFoundError, match="zones.file"):
        load_scenario(overrides=[f"zones.file={tmp_path / 'missing.csv'}"])


def test_override_syntax_errors():
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_override("fleet.ev_share")
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_override("fleet..x=1")
    with pytest.raises(ConfigError, match="not a section"):
        load_scenario(overrides=["name.first=x"])


def test_scenario_is_frozen():
    sc = load_scenario()
    with pytest.raises(pydantic.ValidationError):
        sc.seed = 3  # type: ignore[misc]


def test_vehicle_shares_must_sum_to_one(tmp_path):
    child = write(
        tmp_path / "one_type.yaml",
        f"""extends: {BASE}
fleet:
  vehicle_types:
    - {{id: a, name: A, share: 0.5, battery_kwh: 50, consumption_kwh_per_km: 0.17,
       max_ac_kw: 11, max_dc_kw: 50, dc_curve: [[0, 1], [1, 0.1]]}}
""",
    )
    with pytest.raises(ConfigError, match="shares must sum to 1, got 0.5"):
        load_scenario(child)


def test_long_values_are_cut_in_messages():
    with pytest.raises(ConfigError) as info:
        load_scenario(overrides=["fleet.vehicle_types.0.dc_curve.0.x=1"])
    assert "not a section" in str(info.value)
    assert len(str(info.value)) < 200


def test_a_number_in_a_set_path_picks_a_list_item():
    scenario = load_scenario(overrides=["fleet.vehicle_types.1.battery_kwh=44"])
    assert scenario.fleet.vehicle_types[1].battery_kwh == 44
    for bad in ("fleet.vehicle_types.x.battery_kwh=1", "fleet.vehicle_types.9.battery_kwh=1"):
        with pytest.raises(ConfigError, match="is a list of 4 item.s., expected an item number"):
            load_scenario(overrides=[bad])


def test_errors_name_the_set_option_that_carried_the_value():
    with pytest.raises(ConfigError, match=r"\(from --set fleet\.ev_share=1\.4\)"):
        load_scenario(overrides=["fleet.ev_share=1.4"])


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_infinite_and_nan_numbers_are_refused(value):
    with pytest.raises(ConfigError, match="emissions.grid_kg_per_kwh"):
        load_scenario(overrides=[f"emissions.grid_kg_per_kwh={value}"])


@pytest.mark.parametrize("override", ["fleet.cars_per_1000=1e12", "network.detour_factor=0.5"])
def test_physically_impossible_values_are_refused(override):
    with pytest.raises(ConfigError, match=override.split("=")[0]):
        load_scenario(overrides=[override])


def test_a_key_given_twice_is_an_error(tmp_path):
    bad = write(
        tmp_path / "dup.yaml", f"extends: {BASE}\nfleet:\n  ev_share: 0.1\n  ev_share: 0.2\n"
    )
    with pytest.raises(ConfigError, match="'ev_share' is given twice"):
        load_scenario(bad)


def test_shipped_files_are_named_emob_sim_colon_and_found_anywhere(tmp_path):
    from emob_sim.config import bundled_path, portable_path

    scenario = tmp_path / "s.yaml"
    scenario.write_text("extends: emob-sim:configs/zemgale/baseline.yaml\nname: elsewhere\n")
    sc = load_scenario(scenario)
    assert sc.name == "elsewhere" and sc.zones.file == bundled_path("data/zemgale/zones.csv")
    assert portable_path(sc.zones.file) == "emob-sim:data/zemgale/zones.csv"
    assert portable_path(scenario) == str(scenario.resolve())  # not shipped: absolute
