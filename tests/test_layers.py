"""The import ladder: every package imports only the packages below it, and no module cycles.

::

    cli > console > authoring > agent > telephony > nlg > dialogue > nlu > scenarios > common

Every ``.py`` file of the packages is parsed with :mod:`ast`; every import counts, at module
level, inside functions and under ``if TYPE_CHECKING:``. The checker is tested on a small tree
with a deliberate upward import and a deliberate cycle (Rasa's ``tests/shared/test_shared.py``
is the model).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Lowest first: a package may import itself and any package before it.
LADDER = (
    "common",
    "scenarios",
    "nlu",
    "dialogue",
    "nlg",
    "telephony",
    "agent",
    "authoring",
    "console",
    "cli",
)


@dataclass(frozen=True)
class Import:
    """One import statement's target, as written and as resolved to a module of the tree."""

    file: Path
    line: int
    name: str  # the dotted name imported (``nlu.types.NLUResult`` for a from-import)


def modules(root: Path, ladder: Sequence[str]) -> dict[str, Path]:
    """Every module of the ladder's packages under ``root``: dotted name -> file."""
    out: dict[str, Path] = {}
    for package in ladder:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports_of(module: str, path: Path) -> Iterator[Import]:
    """Every import in the file, wherever it stands (relative imports made absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                yield Import(path, node.lineno, f"{source}.{alias.name}")


def _target(name: str, known: dict[str, Path]) -> str | None:
    """The module of the tree an imported name lives in (``a.b.Name`` -> ``a.b``)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def check(root: Path, ladder: Sequence[str] = LADDER) -> tuple[list[str], list[list[str]]]:
    """Upward imports (``file:line → module``) and import cycles (each a sorted module list)."""
    known = modules(root, ladder)
    rank = {package: i for i, package in enumerate(ladder)}
    upward: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in known}
    for module, path in known.items():
        own = rank[module.split(".")[0]]
        for imp in imports_of(module, path):
            top = imp.name.split(".")[0]
            if top not in rank:
                continue
            if rank[top] > own:
                where = f"{imp.file.relative_to(root)}:{imp.line}"
                upward.append(f"{where} → {imp.name} ({module.split('.')[0]} < {top})")
            target = _target(imp.name, known)
            if target is not None and target != module:
                graph[module].add(target)
    return sorted(set(upward)), cycles(graph)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _report(upward: list[str], loops: list[list[str]]) -> str:
    lines = []
    if upward:
        lines.append(f"{len(upward)} upward import(s) (the ladder is {' < '.join(LADDER)}):")
        lines += [f"  {u}" for u in upward]
    if loops:
        lines.append(f"{len(loops)} import cycle(s):")
        lines += [f"  {' ↔ '.join(c)}" for c in loops]
    return "\n".join(lines)


def test_every_import_points_down_the_ladder_and_no_module_cycles() -> None:
    upward, loops = check(ROOT)
    assert not upward and not loops, _report(upward, loops)


def test_every_package_of_the_project_is_on_the_ladder() -> None:
    # tests, benchmarks and the generator's training recipe (tools/) stand outside the ladder
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench", "tools"}
    assert packages == set(LADDER)


# --- the checker itself -------------------------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checker_finds_an_upward_import_in_a_function(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/types.py": "import os\n\n\ndef f():\n    from high.app import run\n",
            "high/__init__.py": "",
            "high/app.py": "from low.types import f\nfrom . import helpers\n",
            "high/helpers.py": "from .app import f\n",
        },
    )
    upward, loops = check(root, ("low", "high"))
    assert upward == ["low/types.py:5 → high.app.run (low < high)"]
    assert loops == [["high.app", "high.helpers", "low.types"]]  # the upward import closes one


def test_the_checker_passes_a_clean_tree(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/types.py": "import json\n",
            "high/__init__.py": "from high.app import run\n",
            "high/app.py": "from low import types\nfrom low.types import json\n\n\ndef run(): ...\n",
        },
    )
    assert check(root, ("low", "high")) == ([], [])
