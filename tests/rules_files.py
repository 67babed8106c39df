"""A copy of the packaged rules file with some lines replaced (for the rules and compliance tests)."""

from __future__ import annotations

from pathlib import Path

from analytics.common import rules


def write_rules(tmp_path: Path, replace: dict[str, str]) -> Path:
    text = rules.DEFAULT_RULES.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path
