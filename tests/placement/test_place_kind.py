"""``--kind``: each method honours the site kind asked for, or refuses it (issue 25, item 13)."""

from __future__ import annotations

import pytest

from emob_sim.errors import ConfigError
from emob_sim.placement import METHOD_KINDS, check_request, method_kind
from emob_sim.runner import place


def test_without_a_kind_each_method_picks_its_own():
    assert method_kind("coverage", None) == "car_dc"
    assert method_kind("simgreedy", None) == "car_dc"
    assert method_kind("sizing", None) is None  # every car site
    assert method_kind("pvsize", None) is None  # an area's PV and workplace plugs
    assert METHOD_KINDS["pvsize"][0] == ()
    assert METHOD_KINDS["sizing"][0] == ("car_ac", "car_dc")


@pytest.mark.parametrize("kind", ["car_ac", "car_dc", "ebike"])
def test_pvsize_refuses_any_kind(zemgale, kind):
    with pytest.raises(ConfigError) as err:
        check_request(zemgale, method="pvsize", kind=kind, budget="100k")
    message = str(err.value)
    assert "\n" not in message
    assert f"--kind {kind!r}" in message and "method pvsize" in message
    assert "supports no --kind" in message


def test_sizing_refuses_ebike_sites_naming_the_kinds_it_supports(zemgale):
    with pytest.raises(ConfigError, match=r"--kind 'ebike': method sizing .* car_ac, car_dc"):
        check_request(zemgale, method="sizing", kind="ebike", budget="100k")


def test_an_unknown_kind_is_refused_by_every_method(zemgale):
    for method in METHOD_KINDS:
        with pytest.raises(ConfigError, match="--kind 'truck': expected one of car_ac"):
            check_request(zemgale, method=method, kind="truck", budget="1M")


def test_sizing_enlarges_only_the_sites_of_the_kind_asked_for(zemgale, zemgale_region):
    sized = {
        kind: place(zemgale, method="sizing", budget="150k", kind=kind, region=zemgale_region)
        for kind in ("car_ac", "car_dc", None)
    }
    kinds = zemgale_region.sites.set_index("site_id")["kind"]
    grown = {}
    for kind, p in sized.items():
        t = p.history.set_index("site_id")
        grown[kind] = set(t.index[t["plugs_after"] > t["plugs_before"]])
        if kind is not None:
            assert p.kind == kind and p.summary["kind"] == kind
            assert grown[kind], f"sizing --kind {kind} added no plug"
            assert set(kinds[list(grown[kind])]) == {kind}
            other = t[kinds[t.index].to_numpy() != kind]
            assert (other["plugs_after"] == other["plugs_before"]).all()
    assert sized[None].kind is None and sized[None].summary["kind"] == "car_ac, car_dc"
    assert grown["car_ac"] != grown["car_dc"]
    layouts = {k: p.layout.set_index("site_id")["plugs"] for k, p in sized.items()}
    assert not layouts["car_ac"].equals(layouts["car_dc"])
