"""Loading a dataset's tables and describing their columns the same way mlp does.

The schema bytes are hashed into ``dataset_schema_hash``; mlp writes them as the dataset's
``schema.json`` (through ``schema_probe``) and the trainer recomputes them from what it loaded, so
both must come from this one function.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pandas

MANIFEST_NAME = "MANIFEST.sha256"
"""The dataset's manifest (src/cas/manifest.ts): one ``<sha256 hex>  <relative path>`` line per file,
sorted by path; the dataset's hash is the SHA-256 of its bytes."""

_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  (.+)")

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


def _manifest_entries(dataset_dir: Path, dataset_hash: str) -> dict[str, str]:
    """The manifest's SHA-256 of each file, after checking the manifest's own hash is `dataset_hash`."""
    manifest = dataset_dir / MANIFEST_NAME
    try:
        data = manifest.read_bytes()
    except OSError as error:
        raise TableError(f'"{manifest}" cannot be read: {error}') from error
    found = hashlib.sha256(data).hexdigest()
    if found != dataset_hash:
        raise TableError(
            f'"{manifest}" has SHA-256 "{found}", but the dataset\'s hash is "{dataset_hash}": the dataset '
            "was changed after mlp verified it: restore it, or add the data again with mlp data add"
        )
    entries: dict[str, str] = {}
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None:
            raise TableError(f'"{manifest}" line {number} is not "<sha256>  <path>": the manifest was edited by hand')
        entries[match.group(2)] = match.group(1)
    return entries


def read_verified(dataset_dir: Path, dataset_hash: str, tables: list[str]) -> pandas.DataFrame:
    """Reads the dataset's `tables` as load_table does, but each file's bytes are hashed against the
    manifest as they are read and parsed from memory afterwards: the bytes loaded are the bytes
    verified, whatever happens to the files meanwhile."""
    entries = _manifest_entries(dataset_dir, dataset_hash)
    if not tables:
        raise ValueError("no table files given")
    frames = []
    for name in tables:
        file = dataset_dir / name
        reader = READERS.get(file.suffix.lower())
        if reader is None:
            raise TableError(f'"{file}" is not a supported table: use one of {", ".join(sorted(READERS))}')
        if name not in entries:
            raise TableError(
                f'"{file}" is not listed in "{dataset_dir / MANIFEST_NAME}": add the data with mlp data add'
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise TableError(f'"{file}" cannot be read: {error}') from error
        found = hashlib.sha256(data).hexdigest()
        if found != entries[name]:
            raise TableError(
                f'"{file}" has SHA-256 "{found}", but the manifest lists "{entries[name]}": the file was changed '
                "after mlp verified it: restore it, or add the data again with mlp data add"
            )
        try:
            frames.append(reader(io.BytesIO(data)))
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
