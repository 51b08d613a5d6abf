"""`score`: metrics.json for every finished run below OUT (or one run folder), plus the
real-data row."""

from __future__ import annotations

from pathlib import Path


def main(args) -> int:
    from benchmarks.scoring.scorer import score_all

    results = score_all(Path(args.path), args.data_dir, args.force)
    return 2 if "damaged" in results.values() else 0
