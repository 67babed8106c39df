"""The house's rules, read from the code itself (CONVENTIONS: one direction of flow, thin pages,
Streamlit only under analytics/ui/, small modules)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "analytics"
PAGES = sorted((ROOT / "pages").glob("*.py"))
MAX_LINES = 400

# Bottom to top: a package may import only packages below it (config is below everything).
# access sits beside the warehouse it reads; ui and cli are the two tops, neither imports the other.
LAYERS: dict[str, set[str]] = {
    "common": {"config"},
    "warehouse": {"config", "common"},
    "access": {"config", "common", "warehouse"},
    "models": {"config", "common", "warehouse", "access"},
    "views": {"config", "common", "warehouse", "access", "models"},
    "ui": {"config", "common", "warehouse", "access", "models", "views"},
    "cli": {"config", "common", "warehouse", "access", "models", "views"},
}
TOP_MODULES = {"__init__.py", "__main__.py", "config.py"}

# What a page may not do itself: a page reads widgets, calls analytics, draws the result.
PAGE_FORBIDDEN_IMPORTS = {"pandas", "numpy", "duckdb", "sklearn", "plotly", "scipy", "matplotlib", "docx"}
RESHAPING = {
    "groupby",
    "pivot",
    "pivot_table",
    "merge",
    "melt",
    "agg",
    "aggregate",
    "sort_values",
    "drop",
    "assign",
    "rename",
    "loc",
    "iloc",
    "query",
    "join",
    "concat",
    "explode",
    "apply",
    "stack",
    "unstack",
}
SQL = re.compile(r"\bselect\b[\s\S]*\bfrom\b", re.IGNORECASE)


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in `path`, function-level ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "analytics":  # `from analytics import config`
                found += [(node.lineno, f"analytics.{alias.name}") for alias in node.names]
    return found


def package_of(path: Path) -> str:
    """The first folder under analytics/ (or the module's stem at the top)."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_streamlit_is_imported_only_under_analytics_ui():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in python_files(PACKAGE)
        if package_of(path) != "ui"
        for line, module in imported_modules(path)
        if module.split(".")[0] == "streamlit"
    ]
    assert offenders == []


def test_packages_import_only_the_layers_below_them():
    offenders = []
    for path in python_files(PACKAGE):
        own = package_of(path)
        allowed = LAYERS.get(own)
        if allowed is None:
            continue
        for line, module in imported_modules(path):
            parts = module.split(".")
            if parts[0] != "analytics" or len(parts) < 2:
                continue
            if parts[1] != own and parts[1] not in allowed:
                offenders.append(f"{path.relative_to(ROOT)}:{line} ({own} imports {module})")
    assert offenders == []


def test_the_top_of_the_package_holds_only_packages_and_a_handful_of_modules():
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == TOP_MODULES
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert set(LAYERS) <= packages


def test_every_package_says_what_it_holds():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40 and "TODO" not in doc, f"{init.relative_to(ROOT)} has no real docstring"


@pytest.mark.parametrize("path", [*python_files(PACKAGE), ROOT / "app.py", *PAGES], ids=lambda p: p.name)
def test_no_module_grows_past_what_one_person_holds_in_mind(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)}: {lines} lines (split it along its seam)"


def is_mask(node: ast.Subscript) -> bool:
    """`frame[~frame["a"]]`, `frame[frame["a"]]`, `frame[frame["a"] > 1]`, `frame[m & n]`: rows picked
    by a boolean mask (an index such as `months[-1]` is not)."""
    cut = node.slice
    if isinstance(cut, ast.Compare) or (isinstance(cut, ast.UnaryOp) and isinstance(cut.op, ast.Invert)):
        return True
    if isinstance(cut, ast.BinOp) and isinstance(cut.op, ast.BitAnd | ast.BitOr):
        return True
    return isinstance(cut, ast.Subscript) and ast.dump(cut.value) == ast.dump(node.value)


def page_problems(page: Path) -> list[str]:
    """What makes `page` more than thin: data libraries, SQL text, reshaping of frames."""
    tree = ast.parse(page.read_text(encoding="utf-8"))
    problems = [
        f"line {line}: imports {module}"
        for line, module in imported_modules(page)
        if module.split(".")[0] in PAGE_FORBIDDEN_IMPORTS
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in RESHAPING:
            problems.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.List):
            problems.append(f"line {node.lineno}: selects columns [[...]]")
        elif isinstance(node, ast.Subscript) and is_mask(node):
            problems.append(f"line {node.lineno}: filters rows [mask]")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            problems.append(f"line {node.lineno}: SQL text")
    return sorted(problems, key=lambda text: int(text.split()[1].rstrip(":")))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_are_thin(page):
    """No data libraries, no SQL, no reshaping in a page: it calls one function of analytics."""
    assert page_problems(page) == []


def test_the_page_check_sees_a_fat_page(tmp_path):
    page = tmp_path / "fat.py"
    page.write_text(
        'import pandas as pd\nimport streamlit as st\nx = frame.groupby("a").sum()\n'
        'y = frame[["a", "b"]]\nq = "select a from t"\nst.write(x[~x["b"]], x[x["c"]], x[-1])\n'
    )
    assert page_problems(page) == [
        "line 1: imports pandas",
        "line 3: .groupby",
        "line 4: selects columns [[...]]",
        "line 5: SQL text",
        "line 6: filters rows [mask]",
        "line 6: filters rows [mask]",
    ]
