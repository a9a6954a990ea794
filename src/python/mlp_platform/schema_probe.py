"""``python -m mlp_platform.schema_probe FILE...``: print the canonical schema of the tables.

mlp runs this in the project's environment when it adds a dataset, so the schema it stores is the
one the trainer will recompute with the same pandas and pyarrow. Exit 2 when a file cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mlp_platform.dataset import TableError, load_table, schema_bytes


def main(argv: list[str]) -> int:
    """Writes schema_bytes of the concatenated tables to stdout; returns the exit code."""
    if not argv:
        print("usage: python -m mlp_platform.schema_probe FILE...", file=sys.stderr)
        return 2
    try:
        df = load_table([Path(arg) for arg in argv])
    except TableError as error:
        print(f"schema_probe: {error}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(schema_bytes(df))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
