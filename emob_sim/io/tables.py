"""Reading the input tables (zones, sites, strategic nodes and links) with clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from emob_sim.errors import DataError
from emob_sim.io.reading import TABLE_MAX_BYTES, one_line, open_input, shown_path

__all__ = ["read_text_table", "read_model_rows", "validation_problem"]

M = TypeVar("M", bound=BaseModel)


def read_text_table(path: str | Path, required: list[str], *, key: str = "") -> pd.DataFrame:
    """Read a UTF-8 CSV as strings (empty cells stay ``""``, values stripped of blanks).

    Parameters
    ----------
    path
        The CSV file.
    required
        Columns that must be present.
    key
        The scenario key that names the file, for the messages.

    Returns
    -------
    pandas.DataFrame
        Every column as strings, stripped of surrounding blanks.

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    DataError
        The file is not a regular file under the size cap
        (:func:`~emob_sim.io.reading.open_input`), not a readable CSV, or a required column
        is missing.
    """
    path = Path(path)
    where = f"{key}: {shown_path(path)}" if key else shown_path(path)
    with open_input(path, key=key, max_bytes=TABLE_MAX_BYTES) as f:
        try:
            df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8")
        except (pd.errors.EmptyDataError, ValueError) as exc:  # ParserError, UnicodeDecodeError
            reason = one_line(str(exc).removeprefix("Error tokenizing data. C error: "))
            raise DataError(f"{where}: cannot read the CSV table ({reason})") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"{where}: column {missing[0]!r} is missing, expected columns {required}")
    return df.apply(lambda s: s.str.strip())


def read_model_rows(
    path: str | Path, model: type[M], *, key: str = "", keep_empty: bool = True
) -> list[M]:
    """Read a CSV whose columns are fields of ``model``, one validated ``model`` per row.

    Columns that are not fields of ``model`` are ignored; with ``keep_empty`` False an empty
    cell leaves its field at the model's default.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    model : type[pydantic.BaseModel]
        The model each row is validated as (e.g. :class:`~emob_sim.config.models.SiteSpec`).
    key : str
        The scenario key that names the file, for the messages.
    keep_empty : bool
        Pass empty cells to the model as ``""`` (False: leave the field at its default).

    Returns
    -------
    list
        One ``model`` per row, in the file's order.

    Raises
    ------
    InputFileNotFoundError
        The file does not exist (``key`` names the scenario key that gave it).
    DataError
        A required field's column is missing, or a row is invalid: the file, the row number
        (as a spreadsheet shows it, the header being row 1), the field and the value.
    """
    path = Path(path)
    fields = list(model.model_fields)
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    raw = read_text_table(path, required, key=key)
    columns = [c for c in fields if c in raw.columns]
    rows = []
    for i, row in enumerate(raw[columns].to_dict(orient="records")):
        if not keep_empty:
            row = {k: v for k, v in row.items() if v != ""}
        try:
            rows.append(model.model_validate(row))
        except ValidationError as exc:
            where = f"{key}: {shown_path(path)}" if key else shown_path(path)
            where += f": row {i + 2}"
            raise DataError(f"{where}: {validation_problem(exc, 'row')}") from None
    return rows


def validation_problem(exc: ValidationError, whole: str = "value") -> str:
    """The first problem of a pydantic error as ``field: message, got value`` (``whole`` names
    the field when the problem is the record's).

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error raised by validating one record.
    whole : str
        The name used when the problem is not one field's.

    Returns
    -------
    str
        One line for an error message.
    """
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or whole
    msg = err["msg"].removeprefix("Value error, ")
    return f"{field}: {msg}, got {err.get('input')!r}"
