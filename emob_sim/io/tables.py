"""Reading the input tables (zones, sites, strategic nodes and links) with clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from emob_sim.errors import DataError, InputFileNotFoundError

__all__ = ["read_text_table"]


def read_text_table(path: str | Path, required: list[str], *, key: str = "") -> pd.DataFrame:
    """Read a UTF-8 CSV as strings (empty cells stay ``""``, values stripped of blanks).

    Parameters
    ----------
    path
        The CSV file.
    required
        Columns that must be present.
    key
        The scenario key that names the file, for the message when it does not exist.

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    DataError
        The file is not a readable CSV, or a required column is missing.
    """
    path = Path(path)
    if not path.is_file():
        where = f"{key}: file not found: {path}" if key else f"{path}: file not found"
        raise InputFileNotFoundError(where)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the CSV table ({exc})") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"{path}: column '{missing[0]}' is missing, expected columns {required}")
    return df.apply(lambda s: s.str.strip())
