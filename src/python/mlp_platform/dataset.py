"""Loading a dataset's tables and describing their columns the same way mlp does.

The schema bytes are hashed into ``dataset_schema_hash``; mlp writes them as the dataset's
``schema.json`` (through ``schema_probe``) and the trainer recomputes them from what it loaded, so
both must come from this one function.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas

READERS = {".parquet": pandas.read_parquet, ".csv": pandas.read_csv}
"""Table readers by file suffix (lower case)."""


class TableError(ValueError):
    """A table file that cannot be read; the message names the file."""


def load_table(files: list[Path]) -> pandas.DataFrame:
    """Reads each file (parquet or csv) and concatenates them in the given order, index 0..n-1."""
    if not files:
        raise ValueError("no table files given")
    frames = []
    for file in files:
        reader = READERS.get(file.suffix.lower())
        if reader is None:
            raise TableError(f'"{file}" is not a supported table: use one of {", ".join(sorted(READERS))}')
        try:
            frames.append(reader(file))
        except Exception as error:
            raise TableError(f'"{file}" cannot be read: {error}') from error
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    return pandas.concat(frames, ignore_index=True)


def schema_bytes(df: pandas.DataFrame) -> bytes:
    """Canonical JSON of the column names and dtypes in column order, newline-terminated."""
    columns = [{"dtype": str(dtype), "name": str(name)} for name, dtype in df.dtypes.items()]
    text = json.dumps({"columns": columns}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode() + b"\n"


def schema_hash(df: pandas.DataFrame) -> str:
    """SHA-256 hex of schema_bytes(df): the ``dataset_schema_hash`` fingerprint."""
    return hashlib.sha256(schema_bytes(df)).hexdigest()
