"""The models of the SQL layers, as one registry read from the files themselves.

The models are the `.sql` files of `staging/`, `intermediate/` and `marts/`, one select each,
named after the view or table it becomes, with the parameterised reads of `features/` and
`labels/` that analytics/models runs. Each file opens with its config, as a dbt model does:

    -- materialized: table
    -- grain: account_id, billing_month

- `materialized`: `view`; `table`; `windowed_table`, a table whose rows are followed by their
  trailing windows, computed in numpy (analytics/warehouse/rolling.py); or `query`, not built
  (features/ and labels/: run with parameters by analytics/models).
- `grain`: the key, one row per combination. Required of every model but staging (views 1:1 with
  the raw tables, whose keys the schema declares or `data_tests/unique_raw_*` check); the build
  tests each built model's grain (`grain_<model>`): its key columns unique and not null.
- `nullable_keys`: key columns that may be null (a summary holding several grains in one table).
- `grain_tested_by`: a file of `data_tests/` that checks the grain instead, for a view whose rows
  are those of a raw table one for one and which costs far more to read than that table.
- `reads`: tables written by Python code that the SQL reads (neither a model nor a schema table).

There is no list of steps to keep: the build order is read from the SQL. A name after `from` or
`join` is another model (built first), a CTE of the file, or a table of `schema/`, `app/` or
`outputs/`; anything else, a cycle, or a built model reading a query is refused, naming the file.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from pathlib import Path

from analytics import config
from analytics.warehouse import rolling

BUILT_LAYERS = ("staging", "intermediate", "marts")
QUERY_LAYERS = ("features", "labels")
LAYERS = BUILT_LAYERS + QUERY_LAYERS
UNGRAINED_LAYERS = frozenset({"staging"})
# Folders whose DDL creates the tables that exist before the build: raw tables, the app's own,
# and the scores `needsmine score` writes.
SOURCE_FOLDERS = ("schema", "app", "outputs")
MATERIALIZATIONS = {layer: frozenset({"view", "table", "windowed_table"}) for layer in BUILT_LAYERS} | {
    layer: frozenset({"query"}) for layer in QUERY_LAYERS
}
CONFIG_KEYS = ("materialized", "grain", "nullable_keys", "grain_tested_by", "reads")


class ModelError(ValueError):
    """A model file that cannot be built as written: its message names the file."""


@dataclass(frozen=True)
class Model:
    """One `.sql` file of a layer, as its header declares it and its SQL reads other models."""

    name: str
    layer: str
    path: Path
    materialized: str
    grain: tuple[str, ...]
    nullable_keys: frozenset[str]
    depends_on: frozenset[str]  # other models
    grain_tested_by: str = ""  # a data test checking the grain in its place

    @property
    def sql(self) -> str:
        """The file's select, header included (DuckDB reads the header as comments)."""
        return self.path.read_text(encoding="utf-8")

    @property
    def in_build(self) -> bool:
        """Whether the build creates it (a query is run by analytics/models instead)."""
        return self.materialized != "query"

    @property
    def kind(self) -> str:
        """What DuckDB holds it as: `view` or `table`."""
        return "view" if self.materialized == "view" else "table"


# --- headers and references --------------------------------------------------------

_COMMENT_OR_STRING = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_TOKEN = re.compile(r"\$?[a-z_][a-z0-9_]*|\S")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
# Functions whose arguments use `from` without naming a table: extract(year from x), trim(both 'x' from s).
_FROM_IN_ARGUMENTS = frozenset({"extract", "trim", "substring", "overlay", "position"})


def references(sql: str) -> set[str]:
    """Names of the tables and views `sql` reads (after `from` or `join`, comma lists included),
    comments and strings ignored, its own CTEs left out."""
    tokens = _TOKEN.findall(_COMMENT_OR_STRING.sub(lambda m: "''" if m.group().startswith("'") else " ", sql.lower()))
    ctes = {
        tokens[i]
        for i in range(1, len(tokens) - 2)
        if tokens[i - 1] in ("with", "recursive", ",") and tokens[i + 1] == "as" and tokens[i + 2] == "("
    }
    found: set[str] = set()
    parens: list[bool] = []  # per open parenthesis: is it the argument list of a `from`-using function?
    for i, token in enumerate(tokens):
        if token == "(":
            parens.append(i > 0 and tokens[i - 1] in _FROM_IN_ARGUMENTS)
        elif token == ")" and parens:
            parens.pop()
        elif token in ("from", "join") and not (parens and parens[-1]) and tokens[i - 1 : i] != ["distinct"]:
            found |= _from_list(tokens, i + 1)
    return found - ctes


def _from_list(tokens: list[str], j: int) -> set[str]:
    """Table names of the from list starting at token `j`: `a [as] x, b [as] y, …` (a name followed
    by `(` is a table function or a subquery's alias target, not a table)."""
    names: set[str] = set()
    while j < len(tokens) and _IDENTIFIER.fullmatch(tokens[j]):
        if tokens[j + 1 : j + 2] not in (["("], ["."]):
            names.add(tokens[j])
        j += 1
        if tokens[j : j + 1] == ["as"]:
            j += 2
        elif j < len(tokens) and _IDENTIFIER.fullmatch(tokens[j]) and tokens[j + 1 : j + 2] == [","]:
            j += 1  # an alias without `as`: a clause word (where, join, …) is never followed by a comma
        if tokens[j : j + 1] != [","]:
            break
        j += 1
    return names


def _header(path: Path, text: str) -> dict[str, str]:
    """The `-- key: value` lines the file opens with (the first other line ends them)."""
    pattern = re.compile(rf"--\s*({'|'.join(CONFIG_KEYS)})\s*:\s*(.*?)\s*")
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = pattern.fullmatch(line.strip())
        if not match:
            break
        if match[1] in found:
            raise ModelError(f"{path}: `{match[1]}` is declared twice")
        found[match[1]] = match[2]
    return found


def _names(value: str) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in value.split(",") if name.strip())


def source_tables(sql_dir: Path | None = None) -> set[str]:
    """Tables that exist before the build: those the DDL of schema/, app/ and outputs/ creates."""
    sql_dir = sql_dir or config.SQL_DIR
    create = re.compile(r"create\s+(?:or\s+replace\s+)?table\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)")
    return {
        name
        for folder in SOURCE_FOLDERS
        for path in sorted((sql_dir / folder).glob("*.sql"))
        for name in create.findall(_COMMENT_OR_STRING.sub(" ", path.read_text(encoding="utf-8").lower()))
    }


def load_models(sql_dir: Path | None = None) -> dict[str, Model]:
    """Every model of the layers (of `sql_dir`, default the project's), in build order: a model
    after every model it reads.

    Raises ModelError, naming the file, for a header missing or wrong, an unknown reference, a
    built model reading one that is not built, or a cycle.
    """
    sql_dir = sql_dir or config.SQL_DIR
    paths = {}
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            if path.stem in paths:
                raise ModelError(f"{path}: a model named {path.stem} is also {paths[path.stem][1]}")
            paths[path.stem] = (layer, path)
    sources = source_tables(sql_dir)
    windows_sql = (sql_dir / "rolling" / rolling.SORTED_SQL.name).read_text(encoding="utf-8")
    models = {}
    for name, (layer, path) in paths.items():
        text = path.read_text(encoding="utf-8")
        header = _header(path, text)
        materialized = header.get("materialized", "")
        if materialized not in MATERIALIZATIONS[layer]:
            allowed = ", ".join(sorted(MATERIALIZATIONS[layer]))
            raise ModelError(f"{path}: `-- materialized:` must be one of {allowed} in {layer}/, not {materialized!r}")
        grain = _names(header.get("grain", ""))
        if not grain and layer not in UNGRAINED_LAYERS:
            raise ModelError(f"{path}: a model of {layer}/ declares its key: `-- grain: column, …`")
        nullable = frozenset(_names(header.get("nullable_keys", "")))
        if not nullable <= set(grain):
            raise ModelError(f"{path}: nullable_keys {sorted(nullable - set(grain))} are not in the grain")
        tested_by = header.get("grain_tested_by", "")
        if tested_by and not (sql_dir / "data_tests" / f"{tested_by}.sql").is_file():
            raise ModelError(f"{path}: grain_tested_by names data_tests/{tested_by}.sql, which does not exist")
        read = references(text)
        if materialized == "windowed_table":  # rolling.py's own select reads these too
            read |= references(windows_sql) - {rolling.ROWS_VIEW}
        unknown = read - set(paths) - sources - set(_names(header.get("reads", "")))
        if unknown:
            raise ModelError(
                f"{path}: reads {', '.join(sorted(unknown))}, neither a model, a CTE of the file, nor a table of "
                f"{'/, '.join(SOURCE_FOLDERS)}/ (a table written by Python code goes in `-- reads:`)"
            )
        models[name] = Model(name, layer, path, materialized, grain, nullable, frozenset(read & set(paths)), tested_by)
    for model in models.values():
        unbuilt = sorted(d for d in model.depends_on if not models[d].in_build)
        if model.in_build and unbuilt:
            raise ModelError(f"{model.path}: reads {', '.join(unbuilt)}, which the build does not create")
    return {model.name: model for model in _in_build_order(models)}


def _in_build_order(models: dict[str, Model]) -> list[Model]:
    """Topological order; among the models ready at once, by layer then name (a stable order)."""
    waiting = {name: set(model.depends_on) for name, model in models.items()}
    readers: dict[str, list[str]] = {name: [] for name in models}
    for name, model in models.items():
        for dependency in model.depends_on:
            readers[dependency].append(name)

    def rank(name: str) -> tuple[int, str]:
        return LAYERS.index(models[name].layer), name

    ready = [rank(name) for name, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(models[name])
        for reader in readers[name]:
            waiting[reader].discard(name)
            if not waiting[reader]:
                heapq.heappush(ready, rank(reader))
    if len(order) < len(models):
        cycle = _a_cycle({name: deps for name, deps in waiting.items() if deps})
        raise ModelError(
            "models read each other in a cycle: " + " → ".join(f"{name} ({models[name].path})" for name in cycle)
        )
    return order


def _a_cycle(waiting: dict[str, set[str]]) -> list[str]:
    """One cycle among models each still waiting for another (every one of them is on or leads to one)."""
    path = [min(waiting)]
    while path.count(path[-1]) < 2:
        path.append(min(d for d in waiting[path[-1]] if d in waiting))
    return path[path.index(path[-1]) :]
