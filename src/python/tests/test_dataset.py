"""dataset.load_table / read_verified / schema_bytes and the schema_probe CLI."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas
import pytest
from conftest import PLATFORM_DIR, write_manifest

from mlp_platform.dataset import TableError, load_table, read_verified, schema_bytes, schema_hash


def small_frame() -> pandas.DataFrame:
    return pandas.DataFrame({"id": [1, 2], "score": [0.5, 1.5], "flag": [True, False]})


def test_schema_bytes_are_canonical_json_in_column_order() -> None:
    expected = (
        b'{"columns":[{"dtype":"int64","name":"id"},{"dtype":"float64","name":"score"},'
        b'{"dtype":"bool","name":"flag"}]}\n'
    )
    assert schema_bytes(small_frame()) == expected
    assert schema_hash(small_frame()) == hashlib.sha256(expected).hexdigest()


def test_schema_bytes_keep_non_ascii_names() -> None:
    assert schema_bytes(pandas.DataFrame({"größe": [1]})) == '{"columns":[{"dtype":"int64","name":"größe"}]}\n'.encode()


def test_load_table_concatenates_parquet_and_csv_in_order(tmp_path: Path) -> None:
    small_frame().to_parquet(tmp_path / "a.parquet", index=False)
    (tmp_path / "b.csv").write_text("id,score,flag\n3,2.5,True\n")
    df = load_table([tmp_path / "a.parquet", tmp_path / "b.csv"])
    assert df["id"].tolist() == [1, 2, 3]
    assert df.index.tolist() == [0, 1, 2]


def test_load_table_names_an_unsupported_file(tmp_path: Path) -> None:
    with pytest.raises(
        TableError, match=r'^"' + str(tmp_path / "x.xlsx") + r'" is not a supported table: use one of \.csv, \.parquet$'
    ):
        load_table([tmp_path / "x.xlsx"])


def probe(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mlp_platform.schema_probe", *args],
        capture_output=True,
        env={"PYTHONPATH": str(PLATFORM_DIR), "PATH": "/usr/bin:/bin"},
    )


def test_probe_prints_the_schema_bytes(tmp_path: Path) -> None:
    small_frame().to_parquet(tmp_path / "a.parquet", index=False)
    done = probe(str(tmp_path / "a.parquet"))
    assert (done.returncode, done.stdout, done.stderr) == (0, schema_bytes(small_frame()), b"")


def test_probe_exits_2_naming_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    done = probe(str(tmp_path / "bad.parquet"))
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().startswith(f'schema_probe: "{tmp_path / "bad.parquet"}" cannot be read: ')


def test_probe_exits_2_on_a_missing_file_or_no_arguments(tmp_path: Path) -> None:
    missing = probe(str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert f'"{tmp_path / "nope.csv"}" cannot be read' in missing.stderr.decode()
    assert probe().returncode == 2


def test_read_verified_loads_the_tables_whose_bytes_the_manifest_lists(tmp_path: Path) -> None:
    small_frame().to_parquet(tmp_path / "a.parquet", index=False)
    (tmp_path / "b.csv").write_text("id,score,flag\n3,2.5,True\n")
    digest = write_manifest(tmp_path)
    df = read_verified(tmp_path, digest, ["a.parquet", "b.csv"])
    assert df["id"].tolist() == [1, 2, 3]


def test_read_verified_refuses_a_manifest_other_than_the_datasets(tmp_path: Path) -> None:
    small_frame().to_parquet(tmp_path / "a.parquet", index=False)
    digest = write_manifest(tmp_path)
    with pytest.raises(TableError) as refused:
        read_verified(tmp_path, "0" * 64, ["a.parquet"])
    assert str(refused.value) == (
        f'"{tmp_path / "MANIFEST.sha256"}" has SHA-256 "{digest}", but the dataset\'s hash is "{"0" * 64}": the '
        "dataset was changed after mlp verified it: restore it, or add the data again with mlp data add"
    )


def test_read_verified_refuses_a_table_changed_after_it_was_verified(tmp_path: Path) -> None:
    small_frame().to_parquet(tmp_path / "a.parquet", index=False)
    digest = write_manifest(tmp_path)
    listed = hashlib.sha256((tmp_path / "a.parquet").read_bytes()).hexdigest()
    small_frame().head(1).to_parquet(tmp_path / "a.parquet", index=False)
    found = hashlib.sha256((tmp_path / "a.parquet").read_bytes()).hexdigest()
    with pytest.raises(TableError) as refused:
        read_verified(tmp_path, digest, ["a.parquet"])
    assert str(refused.value) == (
        f'"{tmp_path / "a.parquet"}" has SHA-256 "{found}", but the manifest lists "{listed}": the file was '
        "changed after mlp verified it: restore it, or add the data again with mlp data add"
    )
