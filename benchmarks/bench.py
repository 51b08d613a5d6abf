"""`bench`: run a suite, score it, run the lecture checks and write the report, in one command."""

from __future__ import annotations

import time

from benchmarks import runs


def bench_command(args) -> int:
    from benchmarks.lecture.command import run_all
    from benchmarks.reporting.report import build_report
    from benchmarks.scoring.scorer import score_all
    from benchmarks.training.grid import run_command, run_grid
    from benchmarks.training.suites import apply_cli, load_suite, manifold_suite, output_folder

    start = time.perf_counter()
    suite = apply_cli(load_suite(args.suite), args)
    out = output_folder(args, suite)
    run_command(args, suite)
    print("training the 2-d-latent VAE for the manifold figure")
    run_grid(manifold_suite(suite), runs.extras_dir(out), args.data_dir)
    t_run = time.perf_counter()
    score_all(out, data_dir=args.data_dir)
    t_score = time.perf_counter()
    run_all(out / "lecture", runs=out)
    build_report(out, args.data_dir)
    end = time.perf_counter()
    print((out / "summary.md").read_text())
    print(f"bench: train {t_run - start:.0f} s, score {t_score - t_run:.0f} s, "
          f"lecture+report {end - t_score:.0f} s, total {end - start:.0f} s")
    print(f"tables: {out}/summary.{{csv,md,tex}}; figures: {out}/figures/ "
          f"(index in {out}/README.md); lecture: {out}/lecture/")
    return 0
