"""Kernel inputs are named structures: no kernel takes more than eight arguments, and the
structures' builders give every field one type (so that numba compiles each kernel once)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
from numba.core.registry import CPUDispatcher

import emob_sim.kernels
from emob_sim.kernels import structs

MAX_ARGS = 8


def _kernels():
    for info in pkgutil.iter_modules(emob_sim.kernels.__path__):
        module = importlib.import_module(f"emob_sim.kernels.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", obj


def test_no_kernel_takes_more_than_eight_arguments():
    kernels = dict(_kernels())
    assert "emob_sim.kernels.choice.choose_site" in kernels  # the walk finds the kernels
    assert len(kernels) >= 20
    too_long = {
        name: len(inspect.signature(k.py_func).parameters)
        for name, k in kernels.items()
        if len(inspect.signature(k.py_func).parameters) > MAX_ARGS
    }
    assert too_long == {}


def test_builders_give_one_type_per_field_whatever_they_are_given():
    ints = structs.make_car(
        battery_kwh=58,
        curve_soc=[0, 1],
        curve_frac=[1, 1],
        max_dc_kw=120,
        max_ac_kw=11,
        consumption_kwh_per_km=0,
    )
    floats = structs.make_car(
        battery_kwh=58.0,
        curve_soc=np.array([0.0, 1.0]),
        curve_frac=np.array([1.0, 1.0]),
        max_dc_kw=120.0,
        max_ac_kw=11.0,
        consumption_kwh_per_km=0.0,
    )
    for a, b in zip(ints, floats, strict=True):
        assert type(a) is type(b)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype == np.float64
    sites = structs.make_sites(
        point=[3, 4],
        is_dc=[1, 0],
        plug_kw=[50, 22],
        plugs=[2, 1],
        busy=np.zeros(2, dtype=np.int64),
        queued=np.zeros(2, dtype=np.int64),
        mean_s=np.zeros(2),
    )
    assert [a.dtype for a in sites] == [np.int64, np.bool_, np.float64, np.int64] + [
        np.int64,
        np.int64,
        np.float64,
    ]


def test_site_state_is_shared_with_the_caller():
    # the fleet updates busy/queued/mean_s in place: the structure must see those updates
    busy, queued, mean_s = np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64), np.ones(2)
    sites = structs.make_sites(
        point=[3, 4],
        is_dc=[True, False],
        plug_kw=[50.0, 22.0],
        plugs=[2, 1],
        busy=busy,
        queued=queued,
        mean_s=mean_s,
    )
    busy[1] = 1
    mean_s[0] = 99.0
    assert sites.busy[1] == 1 and sites.mean_s[0] == 99.0
