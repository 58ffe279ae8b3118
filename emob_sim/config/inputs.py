"""The files a scenario names: one list, checked the same way by ``validate`` and ``run``.

:func:`input_files` lists them for the manifest's hashes and the folders an output may not
replace; :func:`check_input_files` checks each before anything is simulated or written.
"""

from __future__ import annotations

from pathlib import Path

from emob_sim.config.models import Scenario
from emob_sim.errors import ConfigError, InputFileNotFoundError

__all__ = ["check_input_files", "input_files", "named_inputs", "FACTS_COLUMNS", "shown"]


def shown(text: object, limit: int = 300) -> str:
    """``text`` on one line (control characters escaped), cut to ``limit`` characters.

    Parameters
    ----------
    text : object
        What to show (turned into text with ``str``).
    limit : int
        The longest text returned, characters.

    Returns
    -------
    str
        Printable text for a one-line message.
    """
    from emob_sim.io.reading import shown_path  # imported when used: emob_sim.io is heavy

    return shown_path(str(text), limit=limit)


def named_inputs(scenario: Scenario) -> dict[str, Path]:
    """Every file (and the strategic network's folder) the scenario reads, by its key.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario.

    Returns
    -------
    dict[str, pathlib.Path]
        Scenario key (``zones.file``, ``energy.sites.0.pv_profile_file``, ...) -> the path,
        for the keys that name a file in this scenario.
    """
    net, zones, energy, demand = scenario.network, scenario.zones, scenario.energy, scenario.demand
    named = {
        "network.strategic_dir": net.strategic_dir if net.source == "strategic" else None,
        "network.polygon_file": net.polygon_file if net.source == "polygon" else None,
        "network.file": net.file if net.source == "file" else None,
        "zones.file": zones.file,
        "zones.boundaries_file": zones.boundaries_file,
        "zones.auto.population_file": zones.auto.population_file if zones.file is None else None,
        "charging.sites_file": scenario.charging.sites_file,
        "costs.existing_sites_file": scenario.costs.existing_sites_file,
        "energy.areas_file": energy.areas_file,
        "energy.weather.pv_monthly_file": energy.weather.pv_monthly_file,
        "demand.od_file": demand.od_file if demand.source == "od_matrix" else None,
        "demand.trips_file": demand.trips_file if demand.source == "trips" else None,
        "demand.facts_file": demand.facts_file,
        "year.climate_file": scenario.year.climate_file,
    }
    for i, spec in enumerate(energy.sites):
        named[f"energy.sites.{i}.pv_profile_file"] = spec.pv_profile_file
        named[f"energy.sites.{i}.load_profile_file"] = spec.load_profile_file
    for i, spec in enumerate(energy.areas):
        named[f"energy.areas.{i}.pv_profile_file"] = spec.pv_profile_file
        named[f"energy.areas.{i}.load_profile_file"] = spec.load_profile_file
    return {key: Path(p) for key, p in named.items() if p is not None}


#: the columns a travel facts file (``demand.facts_file``) must have
FACTS_COLUMNS = ["fact", "value"]


def check_input_files(scenario: Scenario) -> None:
    """Check every file the scenario names, the same way for ``validate`` and ``run``, before
    any output is written: it exists, is a regular file (not a folder, FIFO or device) under
    its size cap and can be opened (:func:`emob_sim.io.reading.open_input`); the strategic
    network's folder is a folder whose CSV files pass the same check; a travel facts file is
    read (it is small) and must have the columns of :data:`FACTS_COLUMNS`.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario.

    Raises
    ------
    InputFileNotFoundError
        A file is missing (named by its key).
    ConfigError, DataError
        A file is not a regular file, over its cap, unreadable, or a facts file is not a CSV
        with the expected columns.
    """
    from emob_sim.io.reading import NETWORK_MAX_BYTES, TABLE_MAX_BYTES, check_input_file
    from emob_sim.io.tables import read_text_table

    large = ("network.file", "zones.auto.population_file")  # road networks and rasters
    for key, p in named_inputs(scenario).items():
        if key == "network.strategic_dir":
            try:
                is_dir, exists = p.is_dir(), p.exists()
            except (OSError, ValueError) as exc:  # a name too long, a NUL byte
                raise ConfigError(f"{key}: {shown(p)}: cannot read the folder ({exc})") from None
            if not exists:
                raise InputFileNotFoundError(f"{key}: folder not found: {shown(p)}")
            if not is_dir:
                raise ConfigError(f"{key}: {shown(p)}: expected a folder of CSV files")
            for csv in sorted(p.glob("*.csv")):
                check_input_file(csv, key=key, error=ConfigError)
            continue
        cap = NETWORK_MAX_BYTES if key in large else TABLE_MAX_BYTES
        check_input_file(p, key=key, max_bytes=cap, error=ConfigError)
        if key == "demand.facts_file":
            read_text_table(p, FACTS_COLUMNS, key=key)


def input_files(scenario: Scenario) -> list[Path]:
    """The files a scenario reads (the strategic network's CSV files), for the manifest's
    hashes and the folders an output may not replace.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario.

    Returns
    -------
    list[pathlib.Path]
        Every input file the scenario names (the CSV files of a strategic network folder
        instead of the folder).
    """
    files: list[Path] = []
    for key, p in named_inputs(scenario).items():
        if key == "network.strategic_dir":
            files += sorted(p.glob("*.csv"))
        else:
            files.append(p)
    return files
