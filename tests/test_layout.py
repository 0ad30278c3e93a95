"""The layout keeps its directions where import-linter cannot look: the tools are
scripts (not a package), so this checks them by reading their imports."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_tools_share_the_harness_with_the_tests_and_import_no_test():
    offenders = {
        path.name: sorted(m for m in imported_modules(path) if m.split(".")[0] == "tests")
        for path in sorted((ROOT / "tools").glob("*.py"))
    }
    assert not {name: mods for name, mods in offenders.items() if mods}
    assert "harness.live" in imported_modules(ROOT / "tools" / "bench.py")
