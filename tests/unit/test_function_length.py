"""No function grows past 100 lines (ruff limits complexity, branches and statements, but not
length). A function over it is named in LONG_FUNCTIONS here and on the burn-down list in
docs/architecture.md until it is split (none is today)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 100
LONG_FUNCTIONS: set[str] = set()


def functions(tree, prefix=""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = prefix + node.name
            if not isinstance(node, ast.ClassDef):
                yield name, node
            yield from functions(node, name + ".")


def long_functions():
    found = {}
    for folder in ("src", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(ROOT).as_posix()
            for name, node in functions(ast.parse(path.read_text(encoding="utf-8"))):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    found[f"{relative}::{name}"] = lines
    return found


def test_no_new_function_is_over_100_lines():
    new = {name: lines for name, lines in long_functions().items() if name not in LONG_FUNCTIONS}
    assert not new, (
        f"Functions over {MAX_LINES} lines: {new}. Split them into functions that each do "
        "one thing."
    )


def test_the_burn_down_list_names_only_functions_still_too_long():
    shortened = LONG_FUNCTIONS - set(long_functions())
    assert not shortened, (
        f"{sorted(shortened)} are no longer over {MAX_LINES} lines (or were renamed): remove "
        "them from LONG_FUNCTIONS in tests/unit/test_function_length.py and from the "
        "burn-down list in docs/architecture.md."
    )
