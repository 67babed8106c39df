"""What an import reports when input is bad: one `Problem` per finding, gathered in one error."""

from __future__ import annotations

from typing import NamedTuple

# How many problems an error keeps (the total is always counted in full).
MAX_PROBLEMS = 50
# Longest user value quoted in a reason.
MAX_VALUE_CHARS = 60


class Problem(NamedTuple):
    """One finding: `row` is the data row (1 = first row under the header), `None` for the file."""

    file: str
    row: int | None
    column: str | None
    reason: str


def quote(value: object) -> str:
    """A user value as it appears in a reason: quoted, shortened, on one line."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return f"'{text}'"


def describe(problem: Problem) -> str:
    """One line naming file, row (and the file line it sits on), column and reason."""
    where = problem.file or "(input)"
    if problem.row is not None:
        where += f" 第 {problem.row} 行 (row {problem.row}, file line {problem.row + 1})"
    if problem.column is not None:
        where += f", 列 column {problem.column}"
    return f"{where}: {problem.reason}"


class BadInputError(Exception):
    """Input that cannot be imported; nothing was written.

    `problems` holds the first `MAX_PROBLEMS` findings in file and row order, `total` counts all.
    """

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems: list[Problem] = list(problems[:MAX_PROBLEMS])
        self.total: int = max(total if total is not None else len(problems), len(self.problems))
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

    def error(self, file_order: dict[str, int]) -> BadInputError:
        """The error to raise: findings sorted by file (in the order given), then row."""
        ordered = sorted(
            self.sample,
            key=lambda p: (file_order.get(p.file, -1), -1 if p.row is None else p.row),
        )
        return BadInputError(ordered, self.total)
