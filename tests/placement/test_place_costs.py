"""The cost model: CAPEX per plug by power class, grid connection, OPEX, built sites."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emob_sim.config import load_scenario
from emob_sim.errors import ConfigError, DataError
from emob_sim.placement.costs import (
    added_plugs_capex_eur,
    built_plugs,
    new_site_capex_eur,
    plug_costs,
    site_costs,
)


def test_power_classes_pick_the_first_class_at_or_above(zemgale):
    capex, opex, grid = plug_costs([0.5, 1.0, 11.0, 22.0, 50.0, 150.0, 350.0], zemgale.costs)
    assert capex.tolist() == [800, 800, 6000, 6000, 40000, 80000, 140000]
    assert opex.tolist() == [50, 50, 400, 400, 2500, 4000, 6000]
    assert grid.tolist() == [300, 300, 2000, 2000, 10000, 25000, 40000]


def test_power_above_every_class_is_an_error(zemgale):
    with pytest.raises(DataError, match=r"site 'x': power_kw 500 is above the largest cost class"):
        plug_costs([500.0], zemgale.costs, labels=["x"])


def test_new_site_and_added_plugs(zemgale):
    c = zemgale.costs
    # 2 x 150 kW: 2 x (80,000 + 150 kW x 150 EUR/kW) + 25,000 fixed
    assert new_site_capex_eur(2, 150.0, c) == pytest.approx(2 * (80000 + 22500) + 25000)
    assert added_plugs_capex_eur(1, 150.0, c) == pytest.approx(80000 + 22500)
    assert added_plugs_capex_eur(0, 150.0, c) == 0.0


def test_site_costs_of_built_new_enlarged_and_external_sites(zemgale):
    assert built_plugs(zemgale)["csdd-e-mobi-jekabpils"] == 1
    sites = pd.DataFrame(
        {
            "site_id": ["csdd-e-mobi-jekabpils", "osm-3968775686", "new-dc", "ext-riga"],
            "plugs": [3, 2, 2, 20],
            "power_kw": [50.0, 22.0, 150.0, 50.0],
        }
    )
    out = site_costs(sites, zemgale)
    c = zemgale.costs
    assert out["capex_eur"].tolist() == pytest.approx(
        [added_plugs_capex_eur(2, 50.0, c).item(), 0.0, new_site_capex_eur(2, 150.0, c).item(), 0.0]
    )
    assert out["opex_eur_per_year"].tolist() == pytest.approx([3 * 2500, 2 * 400, 2 * 4000, 0.0])


def test_without_a_built_file_every_site_is_new():
    sc = load_scenario(overrides=["costs.existing_sites_file=null"])
    sites = pd.DataFrame({"site_id": ["osm-3968775686"], "plugs": [2], "power_kw": [22.0]})
    assert site_costs(sites, sc)["capex_eur"].iloc[0] == pytest.approx(2 * (6000 + 3300) + 2000)


def test_cost_classes_must_ascend():
    with pytest.raises(ConfigError, match="max_kw must be strictly ascending"):
        load_scenario(
            overrides=[
                "costs.plug_classes=[{max_kw: 50, capex_eur: 1, opex_eur_per_year: 1}, "
                "{max_kw: 22, capex_eur: 1, opex_eur_per_year: 1}]"
            ]
        )


def test_old_scenarios_without_the_new_sections_still_validate(tmp_path):
    """A scenario that says nothing about costs or placement gets the documented defaults."""
    from emob_sim.config.models import Scenario

    sc = load_scenario()
    data = sc.model_dump(mode="json")
    data.pop("costs")
    data.pop("placement")
    again = Scenario.model_validate(data)
    assert again.costs.grid_eur_per_kw == 150.0
    assert again.placement.coverage_radius_min == 10.0
    assert np.isclose(again.placement.designs["car_dc"].power_kw, 150.0)
