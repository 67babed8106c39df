"""The account's two Word documents, written from the account view's own data: the customer's
服务方案 (`proposal`: nothing internal) and the manager's 客户经营简报 (`brief`: risk, reasons,
competitors, key people, retention points, opportunities). Chinese or English; A4, the
department in the header, page numbers in the footer, the manager as author."""

from __future__ import annotations

import datetime as dt
import os

from docx.document import Document as DocumentType

from analytics.views.account.documents import brief, proposal
from analytics.views.account.documents.docx_parts import bytes_of
from analytics.views.account.tables import Words
from analytics.views.account.view import AccountView

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KINDS: tuple[str, ...] = ("proposal", "brief")


def build(v: AccountView, kind: str = "proposal", lang: str = "zh", today: dt.date | None = None) -> DocumentType:
    """The document `kind` (proposal / brief) of account view `v` in `lang`."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r} (one of {', '.join(KINDS)})")
    return (proposal if kind == "proposal" else brief).build(v, lang, today)


def docx_bytes(v: AccountView, kind: str = "proposal", lang: str = "zh", today: dt.date | None = None) -> bytes:
    """The document as the bytes of a .docx file."""
    return bytes_of(build(v, kind, lang, today))


def write(
    v: AccountView, out: str | os.PathLike[str], kind: str = "proposal", lang: str = "zh", today: dt.date | None = None
) -> None:
    build(v, kind, lang, today).save(os.fspath(out))


def file_name(v: AccountView, kind: str = "proposal", lang: str = "zh") -> str:
    return f"{Words(lang).t(f'documents.file.{kind}')}_{v.account_id}_{v.month:%Y%m}.docx"
