"""The house's seams: data flows data -> training -> scoring -> reporting -> lecture, and the
imports of benchmarks/ follow it. Every import is counted, inside functions too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "benchmarks"
# module prefix -> its level; a module may import its own package or any lower level
# The package itself ("benchmarks", its __init__) is the public face: `benchmarks.score_samples`
# re-exported on first use, so it sits above every stage; each module inside has a stage of its own.
LEVELS = {
    "benchmarks": 11, "benchmarks.errors": 0, "benchmarks.files": 1, "benchmarks.images": 1, "benchmarks.precision": 1,
    "benchmarks.progress": 1, "benchmarks.provenance": 1,
    "benchmarks.data": 1, "benchmarks.settings": 2, "benchmarks.suite_file": 2.2,
    "benchmarks.config_file": 2.5, "benchmarks.runs": 3,
    "benchmarks.records": 4,
    "benchmarks.training": 5, "benchmarks.scoring": 6, "benchmarks.reporting": 7, "benchmarks.lecture": 8,
    "benchmarks.commands": 9, "benchmarks.__main__": 10,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def level(module: str) -> tuple[str, int]:
    prefix = max((p for p in LEVELS if module == p or module.startswith(p + ".")), key=len)  # the longest
    return prefix, LEVELS[prefix]


def imports(path: Path) -> set[str]:
    """The benchmarks modules `path` imports (`from benchmarks import x` names the module x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    modules = {module_name(p) for p in ROOT.rglob("*.py")}
    return {m for m in found if m in modules and m != "benchmarks"}


GRAPH = {module_name(p): imports(p) for p in sorted(ROOT.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_imports_a_stage_above_its_own(module):
    own, rank = level(module)
    above = [m for m in GRAPH[module] if level(m)[0] != own and level(m)[1] >= rank]
    assert not above, f"{module} imports {above}, which are not below it"


def test_the_import_graph_has_no_circle():
    state = {}

    def visit(module, path):
        if state.get(module) == "open":
            raise AssertionError(" -> ".join([*path, module]))
        if state.get(module) != "done":
            state[module] = "open"
            for nxt in sorted(GRAPH[module]):
                visit(nxt, [*path, module])
            state[module] = "done"

    for module in GRAPH:
        visit(module, [])


def test_every_module_but_the_package_itself_has_a_stage():
    assert [m for m in GRAPH if m != "benchmarks" and level(m)[0] == "benchmarks"] == []


def test_the_check_sees_an_upward_import():  # the good case above would pass on an empty graph
    assert "benchmarks.training.harness" in GRAPH
    assert level("benchmarks.scoring.sample_quality")[1] > level("benchmarks.training.harness")[1]
    assert "benchmarks.scoring.sample_quality" in GRAPH["benchmarks.scoring.evaluators"]
