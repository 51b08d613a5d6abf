"""Safe defaults: only the suites whose results are committed write into the committed folders;
every other suite, and every tip of the README, writes where git ignores it."""

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from benchmarks.__main__ import build_parser
from benchmarks.commands.run import output_folder, suite_of

ROOT = Path(__file__).parents[1]


def folder_of(command_line: str) -> Path:
    args = build_parser().parse_args(shlex.split(command_line))
    return output_folder(args, suite_of(args))


@pytest.mark.parametrize(("command", "expected"), [
    ("bench", "results"), ("run --suite default", "results"), ("reproduce", "results/paper"),
    ("bench --dataset fashion-mnist", "results/fashion-mnist"),
    ("bench --suite smoke", "results/smoke"), ("run --suite long", "results/long"),
    ("bench --suite smoke --dataset fashion-mnist", "results/fashion-mnist/smoke"),
    ("reproduce --suite smoke", "results/smoke"), ("bench --suite smoke --out elsewhere", "elsewhere"),
])
def test_only_the_committed_suites_write_into_the_committed_folders(command, expected):
    assert folder_of(command) == Path(expected)


def ignored(path: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0


def test_every_readme_tip_writes_where_git_ignores_it():
    # the README's tips: `tox -e bench -- ARGS` and `python -m benchmarks bench|run ... ARGS` with a non-default suite
    text = (ROOT / "README.md").read_text()
    tips = re.findall(r"`tox -e bench -- ([^`]+)`", text)
    tips = [f"bench {t}" for t in tips if "--suite" in t]
    assert "bench --suite smoke" in tips
    for tip in tips:
        out = folder_of(tip)
        if out == Path("results/long"):  # the long suite's report is committed, its run folders are not
            assert ignored("results/long/runs/vae-dense/seed-0/history.csv") and ignored("results/long/x.npz")
            continue
        for made in ("summary.md", "summary.csv", "figures/fid.png", "runs/vae-dense/seed-0/history.csv",
                     "lecture/kl.png", "slides.pdf"):
            assert ignored(str(out / made)), (tip, out / made)
    # while the committed folders stay tracked
    for committed in ("results/summary.md", "results/paper/README.md", "results/figures/fid.png",
                      "results/fashion-mnist/summary.md", "results/fashion-mnist/figures/fid.png",
                      "results/long/summary.md", "results/long/curves.csv", "results/long/figures/fid.png",
                      "results/long/slides/01-title.png", "results/curves.csv", "results/early-vs-converged.md"):
        assert not ignored(committed), committed


MADE_BY_COMMANDS = {  # paths the README names that a command writes, not the repository
    "benchmarks/scoring/assets/feature_net.candidate.npz": "feature-net --train",
    "results/smoke/": "the tip tox -e bench -- --suite smoke",
    "results/long/": "tox -e bench -- --suite long, committed once every run of it has finished",
    "results/early-vs-converged.md": "report (tox -e bench), once results/long/ holds the long suite's report",
}


def test_every_path_the_readme_names_is_in_the_repository():
    text = (ROOT / "README.md").read_text()
    named = set(re.findall(r"`((?:results|benchmarks|models|tests|\.ci)/[^`\s]*)`", text))
    missing = sorted(p for p in named if not any(c in p for c in "<>*{") and p not in MADE_BY_COMMANDS
                     and not (ROOT / p).exists())
    assert not missing, f"the README names files that are not there: {missing}"
