"""The account's two Word documents, written from the account view's own data: the customer's
服务方案 (`proposal`: nothing internal) and the manager's 客户经营简报 (`brief`: risk, reasons,
competitors, key people, retention points, opportunities). Chinese or English; A4, the
department in the header, page numbers in the footer, the manager as author.

Imported text may hold characters XML cannot carry (NUL, other control characters, lone
surrogates), which python-docx refuses ("All strings must be XML compatible"): `xml_safe` drops
them from every text of the view before a document is built, so the document is still written.
Text in a Word document is never run (no fields or links are made from data), so nothing else is
escaped: a name like `=HYPERLINK(…)` or `[x](https://…)` is printed as it is written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re

import pandas as pd
from docx.document import Document as DocumentType

from analytics.views.account.documents import brief, proposal
from analytics.views.account.documents.docx_parts import bytes_of
from analytics.views.account.tables import Words
from analytics.views.account.view import AccountView

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KINDS: tuple[str, ...] = ("proposal", "brief")
# What XML 1.0 cannot hold: C0 controls but tab, newline and return; surrogates; U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> object:
    """`value` without the characters a Word document cannot hold (text only; other values as they are)."""
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def xml_safe(v: AccountView) -> AccountView:
    """The view with every text — the profile's values and the text cells of its tables — held to
    what a Word document can carry (`xml_text`)."""

    def frame(data: pd.DataFrame) -> pd.DataFrame:
        cleaned = data.copy()
        for column in cleaned.columns:
            if pd.api.types.is_object_dtype(cleaned[column]) or pd.api.types.is_string_dtype(cleaned[column]):
                cleaned[column] = cleaned[column].map(xml_text, na_action="ignore")
        return cleaned

    changes: dict[str, object] = {
        "account_id": xml_text(v.account_id),
        "profile": {key: xml_text(value) for key, value in v.profile.items()},
    }
    for field in dataclasses.fields(v):
        value = getattr(v, field.name)
        if isinstance(value, pd.DataFrame):
            changes[field.name] = frame(value)
    return dataclasses.replace(v, **changes)


def build(v: AccountView, kind: str = "proposal", lang: str = "zh", today: dt.date | None = None) -> DocumentType:
    """The document `kind` (proposal / brief) of account view `v` in `lang`."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r} (one of {', '.join(KINDS)})")
    return (proposal if kind == "proposal" else brief).build(xml_safe(v), lang, today)


def docx_bytes(v: AccountView, kind: str = "proposal", lang: str = "zh", today: dt.date | None = None) -> bytes:
    """The document as the bytes of a .docx file."""
    return bytes_of(build(v, kind, lang, today))


def write(
    v: AccountView, out: str | os.PathLike[str], kind: str = "proposal", lang: str = "zh", today: dt.date | None = None
) -> None:
    build(v, kind, lang, today).save(os.fspath(out))


def file_name(v: AccountView, kind: str = "proposal", lang: str = "zh") -> str:
    return f"{Words(lang).t(f'documents.file.{kind}')}_{v.account_id}_{v.month:%Y%m}.docx"
