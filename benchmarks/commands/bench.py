"""`bench`: run a suite, score it, run the lecture checks and write the report, in one command."""

from __future__ import annotations

import time

from benchmarks import records, runs, suite_file
from benchmarks.commands.run import add_run_arguments, output_folder, parse_shard, suite_of, train_suite

HELP = "run, score and report a suite, then the lecture experiments"
EXAMPLE = "python -m benchmarks bench --suite smoke --dry-run"


def add_arguments(p) -> None:
    add_run_arguments(p, "default")


MANIFOLD = ("vae-dense", 0)  # (model, seed) of the extra run with a 2-d latent, in OUT/extras


def main(args) -> int:
    from benchmarks.lecture.run import run_all
    from benchmarks.reporting.report import build_report
    from benchmarks.scoring.scorer import score_all
    from benchmarks.training.grid import run_grid

    start = time.perf_counter()
    suite = suite_of(args)
    out = output_folder(args, suite)
    if args.dry_run:
        from benchmarks.training.plan import describe

        print(describe(suite, out, parse_shard(args.shard)))
        return 0
    statuses = train_suite(args, suite, out)
    print("training the 2-d-latent VAE for the manifold figure")
    extras = run_grid(suite_file.manifold_suite(suite, *MANIFOLD), runs.extras_dir(out), args.data_dir)
    t_run = time.perf_counter()
    scored = score_all(out, data_dir=args.data_dir)
    t_score = time.perf_counter()
    loaded = records.load(out)  # read once, for the lecture and the report
    run_all(out / "lecture", loaded)
    _, problems = build_report(out, args.data_dir, loaded)
    end = time.perf_counter()
    print((out / "summary.md").read_text())
    print(f"bench: train {t_run - start:.0f} s, score {t_score - t_run:.0f} s, "
          f"lecture+report {end - t_score:.0f} s, total {end - start:.0f} s")
    print(f"tables: {out}/summary.{{csv,md,tex}}; figures: {out}/figures/ "
          f"(index in {out}/README.md); lecture: {out}/lecture/")
    damaged = "damaged" in [*statuses.values(), *extras.values(), *scored.values()] or problems
    return 2 if damaged else 0
