"""The import page (数据导入): upload, see each file's table and header mapping, map unknown
headers by hand, read the validation report, see what changes, confirm a shrinking month, apply;
the import history. The logic is in analytics/views/data_import.py; this module draws it and keeps
the page's choices in the session.

Session state: the uploads saved on the server (`_import_uploads`, with the signature of the
uploaded files), the tables chosen and headers mapped by hand per file name (`_import_tables`,
`_import_hand`: kept by the page itself, so that a header mapped by hand keeps its selectbox and
its choice), the last check (`_import_plan`, redone only when files or choices change) and the
outcome of the last apply (`_import_applied`). `_import_round` renews the uploader after an apply.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import streamlit as st

from analytics import config
from analytics.ui import refresh, tables, text
from analytics.ui.admin import worded as admin_worded
from analytics.ui.connection import connection
from analytics.ui.language import t
from analytics.ui.signin import current_user
from analytics.views import data_import as view
from analytics.warehouse.importer import BadInputError, ImportPlan

UPLOADS = "_import_uploads"
TABLES = "_import_tables"
HAND = "_import_hand"
PLAN = "_import_plan"
APPLIED = "_import_applied"
ROUND = "_import_round"
FOLDER = "_import_folder"
FILE_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "parquet", "pq"]


def uploads() -> list[view.Upload]:
    """The files in the uploader, saved on the server (again only when they change)."""
    files = st.file_uploader(
        t("data_import.upload"),
        type=FILE_TYPES,
        accept_multiple_files=True,
        help=t("data_import.upload_help"),
        key=f"import_files_{st.session_state.get(ROUND, 0)}",
    )
    if not files:
        return []
    signature = tuple((f.name, f.size, getattr(f, "file_id", "")) for f in files)
    kept = st.session_state.get(UPLOADS)
    if kept is None or kept[0] != signature:
        folder = Path(st.session_state.get(FOLDER) or tempfile.mkdtemp(prefix="needsmine-import-"))
        st.session_state[FOLDER] = str(folder)
        shutil.rmtree(folder / "files", ignore_errors=True)
        kept = (signature, view.save_uploads(folder / "files", [(f.name, f.getvalue()) for f in files]))
        st.session_state[UPLOADS] = kept
    return kept[1]


def plan_of(path: str, files: list[view.Upload]) -> ImportPlan:
    """The importer's check of `files` with this page's choices, redone only when they change."""
    chosen = st.session_state.setdefault(TABLES, {})
    hand = st.session_state.setdefault(HAND, {})
    # the files as saved (a new upload is saved anew), and the choices made
    digest = tuple((str(u.path), u.path.stat().st_size, u.path.stat().st_mtime_ns) for u in files)
    signature = (
        digest,
        tuple(sorted(chosen.items())),
        tuple(sorted((k, tuple(sorted(v.items()))) for k, v in hand.items())),
    )
    kept = st.session_state.get(PLAN)
    if kept is None or kept[0] != signature:
        with st.spinner(t("data_import.checking")):
            kept = (signature, view.check(connection(path), files, tables=chosen, hand=hand))
        st.session_state[PLAN] = kept
    return kept[1]


def _set_table(name: str, key: str) -> None:
    value = st.session_state.get(key)
    chosen = st.session_state.setdefault(TABLES, {})
    if value:
        chosen[name] = value
    else:
        chosen.pop(name, None)
    st.session_state.get(HAND, {}).pop(name, None)  # headers of another table mean other columns


def _set_header(name: str, header: str, key: str) -> None:
    value = st.session_state.get(key)
    mapped = st.session_state.setdefault(HAND, {}).setdefault(name, {})
    if value:
        mapped[header] = value
    else:
        mapped.pop(header, None)


def file_section(path: str, number: int, report) -> None:
    """One file: its table (to change), its header mapping, and a choice per unknown header."""
    st.subheader(text.markdown(report.label))
    if report.table:
        st.caption(
            text.fill(
                "data_import.file_caption", table=report.table, line=report.header_line or 1, rows=f"{report.rows:,}"
            )
        )
    for note in report.dropped:
        st.warning(text.markdown(note))
    options = ["", *view.importable_tables()]
    key = f"import_table_{number}"
    st.selectbox(
        t("data_import.table"),
        options,
        index=options.index(st.session_state.get(TABLES, {}).get(report.label, "")),
        format_func=lambda v: v or t("data_import.table_auto", table=report.table or "?"),  # options: plain text
        key=key,
        on_change=_set_table,
        args=(report.label, key),
    )
    frame = view.mapping_frame(ImportPlan(files=[report]))
    if not frame.empty:
        tables.table(
            frame.drop(columns=["file", "table", "header_line"]),
            "data_import",
            key=f"import_mapping_{number}",
            worded=_worded_how,
        )
    hand = st.session_state.get(HAND, {}).get(report.label, {})
    open_headers = [h for h, (_, how) in report.mapping.items() if how in ("", "hand")]
    if report.table and open_headers:
        st.caption(t("data_import.map_help"))
        columns = ["", *view.columns_of(connection(path), report.table)]
        for header in open_headers:
            widget = f"import_map_{number}_{hashlib.md5(header.encode()).hexdigest()[:8]}"
            current = hand.get(header, "")
            st.selectbox(
                text.fill("data_import.map_header", header=header),
                columns,
                index=columns.index(current) if current in columns else 0,
                format_func=lambda v: v or t("data_import.unmapped"),
                key=widget,
                on_change=_set_header,
                args=(report.label, header, widget),
            )


def _worded_how(frame):
    return frame.assign(how=frame["how"].map(lambda how: t(f"data_import.how.{how or 'unknown'}")))


def problems_section(error: BadInputError) -> None:
    """The validation report, on screen and as an Excel download."""
    st.error(t("data_import.problems", n=error.total))
    frame = view.problems_frame(error)
    tables.table(frame, "data_import", key="import_problems")
    if error.total > len(error.problems):
        st.caption(t("data_import.problems_more", shown=len(error.problems), total=error.total))
    headers = {c: t(f"data_import.col.{c}") for c in view.PROBLEM_COLUMNS}
    tables.download(
        lambda: view.problems_xlsx(frame, headers),
        file_name="导入问题 import problems.xlsx",
        key="import_problems_xlsx",
        what="data import table",
        text=t("data_import.download_problems"),
        mime=tables.XLSX_MIME,
    )


def apply_section(path: str, files: list[view.Upload], plan: ImportPlan) -> None:
    """What changes, the shrink confirmation, and the apply button (disabled while problems remain)."""
    st.subheader(t("data_import.changes"))
    tables.table(view.changes_frame(plan), "data_import", key="import_changes")
    share = config.import_max_shrink()
    shrinks = view.shrinking(plan, share)
    confirmed = True
    if shrinks:
        for change in shrinks:
            st.warning(
                text.fill(
                    "data_import.shrinks",
                    table=change.table,
                    month=change.month,
                    before=f"{change.before:,}",
                    after=f"{change.after:,}",
                    share=f"{share:.0%}",
                )
            )
        confirmed = st.checkbox(t("data_import.confirm_shrink"), key="import_confirm_shrink")
    blocked = plan.error is not None
    if st.button(t("data_import.apply"), type="primary", disabled=blocked or not confirmed, key="import_apply"):
        who = current_user()
        try:
            written = view.apply(
                connection(path),
                files,
                username=who.username if who else "—",
                role=who.role if who else None,
                tables=st.session_state.get(TABLES),
                hand=st.session_state.get(HAND),
                reports=plan.files,
                allow_shrink=bool(shrinks) and confirmed,
                max_shrink=share,
            )
        except BadInputError as err:  # the warehouse changed since the check: shown as a new report
            st.session_state[PLAN] = (None, ImportPlan(files=plan.files, changes=plan.changes, error=err))
            st.rerun()
        st.cache_data.clear()  # every page reads the new rows
        st.session_state[APPLIED] = written
        for name in (UPLOADS, TABLES, HAND, PLAN):
            st.session_state.pop(name, None)
        shutil.rmtree(st.session_state.pop(FOLDER, ""), ignore_errors=True)
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
        st.rerun()


def applied_note() -> None:
    """After an apply: what went in, and that the figures follow at the next refresh."""
    written = st.session_state.get(APPLIED)
    if written is None:
        return
    rows = ", ".join(f"{table} {n:,}" for table, n in written.items())
    st.success(text.fill("data_import.applied", rows=rows))
    st.info(t("data_import.refresh_note"))


def history_section(path: str) -> None:
    st.subheader(t("data_import.history"))
    tables.table(view.history(connection(path)), "data_import", key="import_history", worded=admin_worded)


def page(path: str) -> None:
    """The whole page below its title: the uploader, then `body`."""
    st.caption(t("data_import.caption", share=f"{config.import_max_shrink():.0%}"))
    applied_note()
    body(path, uploads())
    st.subheader(t("refresh.start"))
    who = current_user()
    refresh.panel("import_refresh", may_retrain=who is not None and who.role == "admin")


def body(path: str, files: list[view.Upload]) -> None:
    """What the page shows for `files` (saved uploads): each file, the report, what changes, the
    apply button; and the history."""
    if files:
        plan = plan_of(path, files)
        for number, report in enumerate(plan.files):
            file_section(path, number, report)
        if plan.error is not None:
            problems_section(plan.error)
        else:
            st.success(t("data_import.no_problems"))
        apply_section(path, files, plan)
    history_section(path)
