"""The command layer: every command module declares its own arguments (build_parser is a loop
over them), the shared flags are declared once, and building the parser, the help and the light
commands never load TensorFlow."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import commands
from benchmarks.__main__ import LIGHT, build_parser

ROOT = Path(__file__).parents[1]


def test_every_command_module_is_a_command_and_every_command_has_its_module():
    modules = sorted(p.stem for p in (ROOT / "benchmarks" / "commands").glob("*.py") if p.stem != "__init__")
    assert modules == sorted(c.replace("-", "_") for c in commands.COMMANDS)
    for name in commands.COMMANDS:
        module = importlib.import_module(f"benchmarks.commands.{name.replace('-', '_')}")
        assert module.HELP and module.EXAMPLE.startswith(f"python -m benchmarks {name}")
        assert callable(module.add_arguments) and callable(module.main)


def test_the_parser_has_each_command_with_its_own_arguments():
    parser = build_parser()
    args = parser.parse_args(["score-samples", "x.npz", "--dataset", "fashion-mnist", "--data-dir", "d"])
    assert (args.command, args.path, args.dataset, args.data_dir) == ("score-samples", "x.npz", "fashion-mnist", "d")
    assert parser.parse_args(["data"]).dataset == "mnist"  # --dataset shared, MNIST by default
    assert parser.parse_args(["run", "--suite", "smoke"]).dataset is None  # a suite setting: the suite's by default
    with pytest.raises(SystemExit):
        parser.parse_args(["data", "--dataset", "cifar"])  # the choices of the one declaration


def test_the_shared_flags_are_declared_once():
    # --data-dir and --out appear in benchmarks/ only as commands.add_data_dir and commands.add_out
    sources = {p: p.read_text() for p in (ROOT / "benchmarks").rglob("*.py")}
    for flag in ('"--data-dir"', '"--out"', '"--dataset"'):
        declaring = [p.name for p, text in sources.items() if f"add_argument({flag}" in text]
        assert declaring == ["__init__.py"], (flag, declaring)


@pytest.mark.parametrize("argv", [["--help"], ["status", "--help"], ["compare", "--help"]])
def test_the_parser_and_the_light_commands_never_load_tensorflow(argv):
    code = (f"import sys\nfrom benchmarks.__main__ import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n"
            "    pass\nassert 'tensorflow' not in sys.modules, 'TensorFlow was imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"status", "compare"} <= LIGHT
