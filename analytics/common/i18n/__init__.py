"""The translation table: every user-facing text of the dashboard in Chinese and English.

The table is kept as CSV files in this folder (`key,zh,en`), one per part of the app, so that a
translator edits it in Excel; they are read together as one table and a key may appear only once.
Chinese is the default language.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
FOLDER = Path(__file__).resolve().parent


class TranslationError(ValueError):
    """The table itself is broken: a duplicate key or an empty translation."""


@cache
def table() -> dict[str, dict[str, str]]:
    """{key: {"zh": text, "en": text}} read from every CSV file of the folder."""
    entries: dict[str, dict[str, str]] = {}
    for path in sorted(FOLDER.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                key = (row.get("key") or "").strip()
                if not key:
                    continue
                if None in row:  # more fields than the header: a comma in an unquoted text
                    raise TranslationError(
                        f"{path.name}, row {line}: {key!r} has more fields than key,zh,en "
                        "(quote a text that holds a comma)"
                    )
                if key in entries:
                    raise TranslationError(f"{path.name}, row {line}: key {key!r} is already in the table")
                for lang in LANGUAGES:
                    if not (row.get(lang) or "").strip():
                        raise TranslationError(f"{path.name}, row {line}, column {lang}: {key!r} has no text")
                entries[key] = {lang: row[lang] for lang in LANGUAGES}
    return entries


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text of `key` in `lang`, with `{name}` placeholders filled from `values`.

    A key missing from the table raises KeyError: a page must not show a key to a user.
    """
    entry = table()[key]
    template = entry.get(lang, entry[DEFAULT_LANGUAGE])
    return template.format(**values) if values else template


def label(kind: str, value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A data value's display name (`area.basic_comm`, `industry.制造业`…); the value itself when
    the table has no entry (names that come from the operator's own data, such as districts)."""
    entry = table().get(f"{kind}.{value}")
    return entry.get(lang, entry[DEFAULT_LANGUAGE]) if entry else str(value)


def one_side(message: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The `lang` half of a bilingual progress or status line "中文 / English" (the form the
    command line prints both languages in), for a screen that shows one language; a line without
    the separator as it is. Only the first " / " separates: "数据测试失败 / data test failed: a / b"
    gives "data test failed: a / b" in English."""
    zh, sep, en = message.partition(" / ")
    if not sep:
        return message
    return zh if lang == DEFAULT_LANGUAGE else en
