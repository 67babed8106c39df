"""`needsmine demo`: a believable branch network with known truth (SPEC §3, issue 2).

`generate` fills every input table plus `truth_churn`, `truth_adoption`, `truth_needs` and
`truth_retention_effects` in a warehouse; the same seed gives the same tables. The mechanism is
documented in `mechanism.py`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.config import AREAS
from analytics.warehouse import db
from analytics.warehouse.demo import catalogue as cat
from analytics.warehouse.demo import pipeline, projects
from analytics.warehouse.demo.people import CLASS_LABELS, account_names, contacts_frame, make_portfolio, managers_frame
from analytics.warehouse.demo.profiles import BASIC_MONTHS, PERSONAL_MONTHS, profile_updates
from analytics.warehouse.demo.scopes import business_scopes
from analytics.warehouse.demo.simulate import NEVER, simulate

DEFAULT_END_MONTH = "2026-10"
Progress = Callable[[str, float], None]

# Event tables get ids formatted from a running number by the insert.
_ID_FORMAT = {
    "interactions": ("interaction_id", "I%010d"),
    "complaints": ("complaint_id", "C%010d"),
    "competitor_reports": ("report_id", "R%010d"),
    "retention_actions": ("action_id", "A%010d"),
}


def _writer(con: duckdb.DuckDBPyConnection) -> Callable[[str, pa.Table], None]:
    def write(table: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        con.register("_chunk", data)
        if table in _ID_FORMAT:
            column, fmt = _ID_FORMAT[table]
            con.execute(
                f"insert into {table} by name select * exclude (seq), printf('{fmt}', seq) as {column} from _chunk"
            )
        else:
            con.execute(f"insert into {table} by name select * from _chunk")
        con.unregister("_chunk")

    return write


def build_file(path: str | os.PathLike[str], **options) -> dict[str, int]:
    """Generate the demo into a sibling file and move it over `path` only when complete, so an
    interrupted run never leaves a half-built warehouse. Returns rows per table.

    (Months are committed one by one while building: one transaction over the whole run would
    hold every uncommitted row in memory — 2.6× the peak at 100,000 accounts, measured.)
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(target.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        with db.connect(building) as con:
            counts = generate(con, **options)
        os.replace(building, target)
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
    finally:
        building.unlink(missing_ok=True)
    return counts


def generate(
    con: duckdb.DuckDBPyConnection,
    *,
    accounts: int = 5000,
    months: int = 36,
    seed: int = 0,
    end_month: str = DEFAULT_END_MONTH,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the warehouse's contract tables with a demo network; returns rows per table."""
    if accounts < 1 or months < 7:
        raise ValueError("demo needs at least 1 account and 7 months")
    say = progress or (lambda message, fraction: None)
    rng = np.random.default_rng(seed)
    catalogue = cat.load()
    month_starts = np.arange(np.datetime64(end_month, "M") - (months - 1), np.datetime64(end_month, "M") + 1).astype(
        "datetime64[D]"
    )
    window_start, window_end = month_starts[0], (month_starts[-1].astype("datetime64[M]") + 1).astype("datetime64[D]")

    db.drop_all(con)
    db.create_schema(con)
    write = _writer(con)

    say("客户经理与集团档案 / managers and accounts", 0.02)
    p = make_portfolio(rng, accounts, months, catalogue)
    managers = managers_frame(rng, p)
    write("managers", pa.Table.from_pandas(managers, preserve_index=False))
    write(
        "products",
        pa.Table.from_pandas(
            catalogue.products[["product_id", "product_name", "area", "billing_unit", "list_price_yuan"]],
            preserve_index=False,
        ),
    )
    names = account_names(rng, p, catalogue.industries)
    write("contacts", pa.Table.from_pandas(contacts_frame(rng, p), preserve_index=False))

    def monthly(done: int, total: int) -> None:
        say(f"模拟账期 / simulating month {done}/{total}", 0.05 + 0.85 * done / total)

    # The retention actions draw from a generator of their own: the demo's other draws stay as they were.
    outcome = simulate(rng, p, catalogue, month_starts, write, monthly, action_rng=np.random.default_rng([seed, 1601]))

    say("集团状态与资料更新 / statuses and profile updates", 0.92)
    open_day = np.where(
        p.open_month == 0,
        window_start - np.round(p.years_before * 365.25).astype("timedelta64[D]"),
        month_starts[np.minimum(p.open_month, months - 1)] + p.open_day_offset.astype("timedelta64[D]"),
    )
    churned = outcome.churn_month < NEVER
    churn_at = month_starts[np.minimum(outcome.churn_month, months - 1)] + outcome.churn_day.astype("timedelta64[D]")
    full = churned & (outcome.churn_kind == 1)
    closed_on = np.where(full, churn_at, np.datetime64("NaT"))
    status = np.full(accounts, "在网", dtype=object)
    status[p.open_month >= months] = "潜在"
    status[churned & (outcome.churn_kind == 3)] = "沉默"
    status[full] = "离网"
    status[full & (churn_at < window_end - np.timedelta64(180, "D"))] = "销户"

    # Agreements renew on the anniversaries of opening: the one in force at the end (or at churn).
    term = np.maximum(p.agreement_months, 1)
    ref = np.where(full, churn_at, window_end - np.timedelta64(1, "D"))
    months_open = (ref.astype("datetime64[M]") - open_day.astype("datetime64[M]")).astype(int)
    cycles = np.floor_divide(months_open, term) + 1
    expires = (open_day.astype("datetime64[M]") + (cycles * term).astype("timedelta64[M]")).astype("datetime64[D]") + (
        open_day - open_day.astype("datetime64[M]").astype("datetime64[D]")
    )
    has_agreement = (p.agreement_months > 0) & (p.open_month < months)
    accounts_df = pd.DataFrame(
        {
            "account_id": p.account_ids,
            "account_name": names,
            "industry": catalogue.industries["industry"].to_numpy()[p.industry],
            "district": np.array(cat.DISTRICTS)[p.manager_district[p.manager_of]],
            "value_class": CLASS_LABELS[p.value_class],
            "is_key_account": p.is_key,
            "manager_id": p.manager_ids[p.manager_of],
            "employee_count": p.employees.astype(np.int32),
            "ownership": _ownership(rng, p, catalogue.industries),
            "opened_on": open_day,
            "agreement_expires_on": np.where(has_agreement, expires, np.datetime64("NaT")),
            "agreement_months": pd.array(np.where(has_agreement, p.agreement_months, 0), dtype="Int32"),
            "status": status,
            "closed_on": closed_on,
            # From a generator of its own: the demo's other draws stay as they were.
            "business_scope": business_scopes(
                np.random.default_rng([seed, 5301]), p.industry, p.need, catalogue.industries["industry"]
            ),
        }
    )
    accounts_df.loc[~has_agreement, "agreement_months"] = pd.NA
    write("accounts", pa.Table.from_pandas(accounts_df, preserve_index=False))
    write(
        "truth_needs",
        pa.table(
            {
                "account_id": np.repeat(p.account_ids, len(AREAS)),
                "area": np.tile(np.array(AREAS), accounts),
                "latent_need": p.need.ravel().astype(np.float32),
            }
        ),
    )

    start_day = np.maximum(open_day, window_start)
    end_day = np.where(full, churn_at, window_end)
    on_books = (p.open_month < months) & (end_day > start_day)
    cls_for_cadence = np.where(p.is_key, 0, p.value_class)
    lapse = np.clip(0.25 * (1.15 - p.diligence[p.manager_of]), 0.01, 0.3)
    seq = 0
    for kind, cadence in (("basic", BASIC_MONTHS), ("personal", PERSONAL_MONTHS)):
        idx = np.flatnonzero(on_books)
        ups = profile_updates(rng, kind, cadence[cls_for_cadence[idx]], start_day[idx], end_day[idx], lapse[idx])
        pos = idx[ups.column("account_pos").to_numpy()]
        ids = np.arange(seq + 1, seq + 1 + pos.size)
        seq += pos.size
        con.register(
            "_ups",
            pa.table(
                {
                    "seq": ids,
                    "account_id": pa.array(p.account_ids).take(pa.array(pos)),
                    "kind": ups.column("kind"),
                    "updated_at": ups.column("updated_at"),
                    "updated_by": pa.array(p.manager_ids).take(pa.array(p.manager_of[pos])),
                }
            ),
        )
        con.execute(
            "insert into profile_updates by name select * exclude (seq), printf('U%010d', seq) as update_id from _ups"
        )
        con.unregister("_ups")
    say("商机 / the pipeline", 0.97)
    pipeline.generate(con, seed, window_end)  # after the tables it is drawn from
    projects.generate(con, seed, window_end)  # 信息化项目: from the signed opportunities
    say("完成 / done", 1.0)
    return {table: con.execute(f"select count(*) from {table}").fetchone()[0] for table in db.ALL_TABLES}


def _ownership(rng: np.random.Generator, p, industries: pd.DataFrame) -> np.ndarray:
    out = np.empty(p.account_ids.size, dtype=object)
    for i, mix in enumerate(industries["ownership_mix"]):
        members = np.flatnonzero(p.industry == i)
        pairs = [part.split(":") for part in mix.split("|")]
        labels = np.array([a for a, _ in pairs])
        weights = np.array([float(b) for _, b in pairs])
        out[members] = labels[rng.choice(labels.size, members.size, p=weights / weights.sum())]
    return out
