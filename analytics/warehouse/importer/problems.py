"""What an import reports when input is bad: one `Problem` per finding, gathered in one error."""

from __future__ import annotations

from typing import NamedTuple

from analytics.common import i18n

# How many problems an error keeps (the total is always counted in full).
MAX_PROBLEMS = 50
# Longest user value quoted in a reason.
MAX_VALUE_CHARS = 60


class Problem(NamedTuple):
    """One finding: `row` is the data row (1 = first row under the header; `None` for the file),
    `line` the file line it starts on as an editor or Excel numbers it (`None` when unknown or
    not applicable, as in Parquet; filled in for CSV and XLSX before the error is raised);
    `value` the cell as the file holds it, trimmed, when one cell is at fault (for the report)."""

    file: str
    row: int | None
    column: str | None
    reason: str
    line: int | None = None
    value: str | None = None


class MonthShrink(NamedTuple):
    """A month of a monthly table that the import would shrink by more than the allowed share."""

    table: str
    month: str  # YYYY-MM
    before: int  # rows in the warehouse
    after: int  # rows in the import


def reason(key: str, **values: object) -> str:
    """A reason in both languages, "zh / en", from the translation table (`importer.<key>`)."""
    return f"{i18n.text(f'importer.{key}', 'zh', **values)} / {i18n.text(f'importer.{key}', 'en', **values)}"


def quote(value: object) -> str:
    """A user value as it appears in a reason: quoted, shortened, on one line, printable."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    # Control characters as \xNN: a message must be printable, and writable into Excel or Word.
    text = "".join(_printable(c) for c in text)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return f"'{text}'"


def _printable(char: str) -> str:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code in (0xFFFE, 0xFFFF) else char


def describe(problem: Problem) -> str:
    """One line naming file, the file line (and data row), column and reason."""
    where = problem.file or "(input)"
    if problem.line is not None:
        row = f", data row {problem.row}" if problem.row is not None else ""
        where += f" 第 {problem.line} 行 (file line {problem.line}{row})"
    elif problem.row is not None:
        where += f" 第 {problem.row} 行 (row {problem.row})"
    if problem.column is not None:
        where += f", 列 column {problem.column}"
    return f"{where}: {problem.reason}"


class BadInputError(Exception):
    """Input that cannot be imported; nothing was written.

    `problems` holds the first `MAX_PROBLEMS` findings in file and row order, `total` counts all.
    `shrinking` lists the months refused only because they would shrink too much (each is also
    a problem): when they are all the problems, confirming (`allow_shrink=True`) imports the files.
    """

    def __init__(
        self, problems: list[Problem], total: int | None = None, shrinking: tuple[MonthShrink, ...] = ()
    ) -> None:
        self.problems: list[Problem] = list(problems[:MAX_PROBLEMS])
        self.total: int = max(total if total is not None else len(problems), len(self.problems))
        self.shrinking: tuple[MonthShrink, ...] = tuple(shrinking)
        super().__init__(self.format())

    def format(self, limit: int = 20) -> str:
        """A message for people: the first `limit` problems, then how many there are in all."""
        lines = ["导入未执行，仓库未改动 / import not applied, the warehouse is unchanged:"]
        shown = self.problems[:limit]
        lines += [f"  {describe(p)}" for p in shown]
        if self.total > len(shown):
            rest = self.total - len(shown)
            lines.append(f"  … 另有 {rest} 个问题 / {rest} more")
        lines.append(f"共 {self.total} 个问题 / {self.total} problems in all")
        return "\n".join(lines)


class ProblemLog:
    """Collects problems from many checks, keeping a bounded sample and the full count."""

    def __init__(self) -> None:
        self.sample: list[Problem] = []
        self.total = 0
        self.shrinking: list[MonthShrink] = []

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.sample) < MAX_PROBLEMS * 4:
            self.sample.append(problem)

    def add_found(self, found: list[Problem], total: int) -> None:
        """Add a check's first findings together with how many it found in all."""
        self.total += total
        self.sample.extend(found[:MAX_PROBLEMS])

    def __bool__(self) -> bool:
        return self.total > 0

    def rows_of(self, file: str) -> set[int]:
        """The data rows of `file` that problems name without a file line yet."""
        return {p.row for p in self.sample if p.file == file and p.row is not None and p.line is None}

    def set_lines(self, file: str, lines: dict[int, int]) -> None:
        """Give the problems of `file` the file lines of their rows (data row -> line)."""
        self.sample = [
            p._replace(line=lines.get(p.row)) if p.file == file and p.row is not None and p.line is None else p
            for p in self.sample
        ]

    def error(self, file_order: dict[str, int]) -> BadInputError:
        """The error to raise: findings sorted by file (in the order given), then row and line."""
        ordered = sorted(
            self.sample,
            key=lambda p: (
                file_order.get(p.file, -1),
                -1 if p.row is None else p.row,
                -1 if p.line is None else p.line,
            ),
        )
        return BadInputError(ordered, self.total, tuple(self.shrinking))
