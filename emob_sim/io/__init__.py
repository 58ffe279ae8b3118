"""Files in and out: input tables with clear errors, output folders written atomically.

:mod:`~emob_sim.io.reading` opens every input file (regular files only, under a size cap,
with one-line errors); :mod:`~emob_sim.io.tables` reads the input CSVs;
:mod:`~emob_sim.io.folders` owns the rules of output folders (check, write atomically,
replace only emob-sim output);
:mod:`~emob_sim.io.files` writes JSON, Parquet and point layers (GeoJSON, GeoPackage), and
any file atomically.
"""

from __future__ import annotations

from emob_sim.io.files import (
    points_bytes,
    sha256_file,
    write_atomically,
    write_json,
    write_parquet,
    write_points,
)
from emob_sim.io.folders import (
    MANIFEST,
    OUTPUT_KINDS,
    Interrupted,
    atomic_output_dir,
    check_out_dir,
    read_manifest,
    remove_leftovers,
)
from emob_sim.io.reading import (
    NETWORK_MAX_BYTES,
    SCENARIO_MAX_BYTES,
    TABLE_MAX_BYTES,
    check_input_file,
    one_line,
    open_input,
    read_input_text,
    read_layer,
    shown_path,
)
from emob_sim.io.tables import read_text_table

__all__ = [
    "open_input",
    "check_input_file",
    "read_input_text",
    "read_layer",
    "shown_path",
    "one_line",
    "SCENARIO_MAX_BYTES",
    "TABLE_MAX_BYTES",
    "NETWORK_MAX_BYTES",
    "read_text_table",
    "check_out_dir",
    "atomic_output_dir",
    "OUTPUT_KINDS",
    "MANIFEST",
    "Interrupted",
    "read_manifest",
    "remove_leftovers",
    "write_json",
    "write_parquet",
    "write_points",
    "write_atomically",
    "points_bytes",
    "sha256_file",
]
