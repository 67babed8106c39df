"""Print the declared minimum versions of pyproject.toml's dependencies (and of the extras named
on the command line) as `name==version` lines: the install CI tests the minimums with."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["project"]
wanted = list(project["dependencies"])
for extra in sys.argv[1:]:
    wanted += project["optional-dependencies"][extra]
for requirement in wanted:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*(?:>=|==)\s*([^,;\s]+)\s*", requirement)
    if match is None:
        sys.exit(f"{requirement!r}: no minimum version (name>=version) to test")
    print(f"{match.group(1)}=={match.group(2)}")
