"""`--dry-run` of run, bench and reproduce: the grid, each run's budget in images, and the time
it would take at measured throughput, without training anything."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks import files, suite_file


def measured_rates(out: Path) -> tuple[dict, str]:
    """model -> images/s, from OUT/summary.csv (runs made here), else results/summary.csv (the
    committed bench), with where the numbers come from."""
    for path in (out / "summary.csv", Path("results") / "summary.csv"):
        if path.is_file():
            frame = files.read_csv(path, "delete it and re-run `report`", required=("model",))
            if frame is not None and "images_per_sec_mean" in frame:
                rates = {m: float(r) for m, r in zip(frame["model"], frame["images_per_sec_mean"]) if pd.notna(r)}
                return rates, f"the images/s in {path}"
    return {}, "no measured images/s (run `perf`, or a bench, first)"


def describe(suite: dict, out: Path, shard: tuple[int, int] = (0, 1)) -> str:
    grid = [(m, s) for m in suite["models"] for s in suite["seeds"]][shard[0]::shard[1]]
    rates, source = measured_rates(out)
    lines, total_images, total_seconds, unknown = [], 0, 0.0, []
    for model, seed in grid:
        config = suite_file.run_settings(suite, model)
        epoch = config["train_images"] // config["batch_size"] * config["batch_size"]
        images = config["epochs"] * epoch
        total_images += images
        rate = rates.get(model)
        if rate:
            total_seconds += images / rate
        else:
            unknown.append(model)
        when = f"about {images / rate / 60:.1f} min" if rate else "no measured images/s"
        budget = f"{config['epochs']} epoch(s)" if not config["stop_tolerance"] else (
            f"at most {config['epochs']} epoch(s) (the stop rule may end it from epoch {config['stop_min_epochs']})")
        lines.append(f"  {model} seed {seed}: {budget} x {epoch:,} images = {images:,} images, "
                     f"batch {config['batch_size']}, {config['dtype']}, loop {config['loop']}; {when}")
    estimate = f"{'at most ' if any(suite_file.run_settings(suite, m)['stop_tolerance'] for m, _ in grid) else ''}" \
        f"about {total_seconds / 60:.0f} min of training" + (
        f" for the runs with a measured rate (not {', '.join(sorted(set(unknown)))})" if unknown else "")
    return "\n".join([f"dry run of suite {suite['name']} into {out}: {len(grid)} runs, nothing trained", *lines,
                      f"in all {total_images:,} training images; {estimate}, at {source}; evaluation "
                      "and scoring come on top"])
