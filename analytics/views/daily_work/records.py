"""The daily work written from the browser (SPEC §6, §8): interviews (走访记录), competitor
reports (市场竞争信息) and retention actions (客户挽留), validated field by field.

Each write validates its input and inserts (or updates) in one transaction on a cursor of its
own, so that the sessions of one Streamlit server — threads sharing one DuckDB connection —
never see each other's half-written rows; every value is a bound parameter. New rows get uuid
ids (no counter to race on; "I-…", "R-…", "A-…" never collide with imported ids). A form whose
input breaks a rule raises `ValidationError` carrying, per field, a `Problem`: a translation
key of `analytics/common/i18n/forms.csv` and its values, so that a page shows it beside the field in
the user's language (`analytics/views/daily_work/checks.py`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics import config
from analytics.common import clock, i18n, rules
from analytics.common.filters import Filters
from analytics.views.daily_work.checks import FormChecker, Problem, ValidationError
from analytics.warehouse import queries

MAX_NOTES = 4000
MAX_DESCRIPTION = 2000
MAX_ACTION = 500
OPEN_STATUSES = ("计划", "进行中")
DONE, CANCELLED = "已完成", "已取消"
UPDATE_ATTEMPTS = 30


# ---- transactions ----------------------------------------------------------------------------


def _in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
    """Run `work(cursor)` in one transaction on a cursor of its own: all of it or none."""
    with con.cursor() as cur:
        cur.execute("begin transaction")
        try:
            result = work(cur)
            cur.execute("commit")
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # a failed commit has already rolled back
                cur.execute("rollback")
            raise
        return result


def _now(now: dt.datetime | None) -> dt.datetime:
    """`now`, or the local time in Asia/Shanghai (the warehouse's times are China's, not the server's)."""
    return (now or clock.now()).replace(microsecond=0)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


# ---- interviews --------------------------------------------------------------------------------


def record_interaction(
    con: duckdb.DuckDBPyConnection,
    values: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    scope: tuple[str, ...] | None = None,
) -> str:
    """Insert one interview or call; returns its interaction_id.

    values: account_id, manager_id (default: the account's manager), occurred_at (not in the
    future), channel, contact_role, notes, needs_found (list of areas; may be empty).
    """
    moment = _now(now)

    def work(cur: duckdb.DuckDBPyConnection) -> str:
        check = FormChecker(cur, values, moment, scope)
        account = check.account("account_id")
        manager_id = check.manager("manager_id", default=account[1] if account else None, default_field="account_id")
        occurred_at = check.moment("occurred_at")
        channel = check.choice("channel", "channel")
        contact_role = check.choice("contact_role", "contact_role")
        notes = check.text("notes", max_length=MAX_NOTES)
        needs = check.areas("needs_found")
        if check.problems:
            raise ValidationError(check.problems)
        interaction_id = _new_id("I")
        cur.execute(
            "insert into interactions (interaction_id, account_id, manager_id, occurred_at, channel, contact_role, "
            "notes, needs_found) values (?, ?, ?, ?, ?, ?, ?, ?::area[])",
            [interaction_id, account[0], manager_id, occurred_at, channel, contact_role, notes, needs],
        )
        return interaction_id

    return _in_transaction(con, work)


# ---- competitor reports ------------------------------------------------------------------------


def record_competitor_report(
    con: duckdb.DuckDBPyConnection,
    values: Mapping[str, Any],
    *,
    urgent_kind: str | None = None,
    now: dt.datetime | None = None,
    scope: tuple[str, ...] | None = None,
) -> str:
    """Insert one competitor report, filed now; returns its report_id.

    values: manager_id, account_id (optional, but required for the urgent kind: a poaching
    attempt is aimed at one of our accounts), competitor, kind, observed_at (not in the
    future), description (what was offered). `urgent_kind` defaults to the rules file's.
    """
    moment = _now(now)
    urgent = rules.load().urgent_kind if urgent_kind is None else urgent_kind

    def work(cur: duckdb.DuckDBPyConnection) -> str:
        check = FormChecker(cur, values, moment, scope)
        manager_id = check.manager("manager_id")
        kind = check.choice("kind", "report_kind")
        account = check.account("account_id", required=kind == urgent)
        competitor = check.choice("competitor", "competitor")
        observed_at = check.moment("observed_at")
        description = check.text("description", max_length=MAX_DESCRIPTION)
        if check.problems:
            if "account_id" in check.problems and check.problems["account_id"].key == "forms.error.required":
                check.problems["account_id"] = Problem("forms.error.urgent_needs_account")
            raise ValidationError(check.problems)
        report_id = _new_id("R")
        cur.execute(
            "insert into competitor_reports (report_id, manager_id, account_id, competitor, kind, observed_at, "
            "reported_at, description) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report_id,
                manager_id,
                account[0] if account else None,
                competitor,
                kind,
                observed_at,
                moment,
                description,
            ],
        )
        return report_id

    return _in_transaction(con, work)


# ---- retention actions -------------------------------------------------------------------------


def _status_and_outcome(check: FormChecker) -> tuple[str | None, str | None]:
    """A status and an outcome that agree: an outcome exactly when the action is done."""
    status = check.choice("status", "action_status")
    outcome = check.choice("outcome", "action_outcome", required=False)
    if status == DONE and outcome is None and "outcome" not in check.problems:
        check.fail("outcome", "done_needs_outcome")
    if status is not None and status != DONE and outcome is not None:
        check.fail("outcome", "outcome_needs_done")
    return status, outcome


def record_retention_action(
    con: duckdb.DuckDBPyConnection,
    values: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    scope: tuple[str, ...] | None = None,
    kind_required: bool = False,
) -> str:
    """Insert one retention action, recorded now; returns its action_id.

    values: account_id, owner_id (default: the account's manager), action (what is done),
    action_kind (one of enum action_kind: what kind of action it is, which the effect estimates
    read; required with `kind_required`, as the 客户挽留 form asks it), status (default 计划),
    outcome (only with status 已完成, and then required), due_on (optional, not before today).
    """
    moment = _now(now)
    values = {"status": OPEN_STATUSES[0], **values}

    def work(cur: duckdb.DuckDBPyConnection) -> str:
        check = FormChecker(cur, values, moment, scope)
        account = check.account("account_id")
        owner_id = check.manager("owner_id", default=account[1] if account else None, default_field="account_id")
        action = check.text("action", max_length=MAX_ACTION)
        action_kind = check.choice("action_kind", "action_kind", required=kind_required)
        status, outcome = _status_and_outcome(check)
        due_on = check.day("due_on", not_before=moment.date())
        if check.problems:
            raise ValidationError(check.problems)
        action_id = _new_id("A")
        cur.execute(
            "insert into retention_actions (action_id, account_id, owner_id, action, status, outcome, created_at, "
            "due_on, completed_at, action_kind) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                action_id,
                account[0],
                owner_id,
                action,
                status,
                outcome,
                moment,
                due_on,
                moment if status in (DONE, CANCELLED) else None,
                action_kind,
            ],
        )
        return action_id

    return _in_transaction(con, work)


def update_retention_action(
    con: duckdb.DuckDBPyConnection,
    values: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    scope: tuple[str, ...] | None = None,
) -> None:
    """Set an action's status and outcome. values: action_id, status, outcome (required with
    已完成, not allowed otherwise). Done or cancelled stamps completed_at; reopening clears it.

    Two sessions updating the same action at once: DuckDB lets one commit and the other fail
    with a conflict; the other is retried, so the last one to commit wins and none is lost."""
    moment = _now(now)

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        check = FormChecker(cur, values, moment, scope)
        action_id = check.text("action_id", max_length=64)
        created_at = None
        if action_id is not None:
            row = cur.execute(
                "select actions.created_at, accounts.manager_id from retention_actions as actions "
                "inner join accounts on accounts.account_id = actions.account_id where actions.action_id = ?",
                [action_id],
            ).fetchone()
            if row is None or (scope is not None and row[1] not in scope):
                check.fail("action_id", "unknown_action", id=action_id)
            else:
                created_at = row[0]
        status, outcome = _status_and_outcome(check)
        if check.problems:
            raise ValidationError(check.problems)
        completed_at = max(moment, created_at) if status in (DONE, CANCELLED) else None
        cur.execute(
            "update retention_actions set status = ?, outcome = ?, completed_at = ? where action_id = ?",
            [status, outcome, completed_at, action_id],
        )

    for attempt in range(UPDATE_ATTEMPTS):
        try:
            return _in_transaction(con, work)
        except duckdb.TransactionException:
            if attempt == UPDATE_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))  # jitter: the rivals do not meet again


# ---- what a form offers -----------------------------------------------------------------------


def account_choices(
    con: duckdb.DuckDBPyConnection, scope: Filters, limit: int = 5000, today: dt.date | None = None
) -> pd.DataFrame:
    """Accounts in scope a form lists: those in service `today` (default: today in Asia/Shanghai),
    account_id, account_name, manager_id."""
    params = {**scope.params(), "limit": limit, "today": today or clock.today()}
    return queries.run(con, "daily_accounts", params)


# ---- needs found in the notes ------------------------------------------------------------------


def load_notes_model(db_path: str | Path) -> Any | None:
    """The trained notes model of warehouse `db_path`, or None when there is none (not trained
    yet, or trained by another version): the form then relies on the needs the manager picks."""
    from analytics.models import registry
    from analytics.models.persistence import ModelFileError, load_model

    path = registry.path_of(config.models_dir(Path(db_path)), "notes")
    if not path.exists():
        return None
    try:
        model, _ = load_model(path)
    except (ModelFileError, AttributeError, ImportError, EOFError):
        return None
    return model


def suggest_needs(model: Any | None, notes: str | None) -> list[str]:
    """The areas (config.AREAS order) whose needs the notes voice, by the notes model; [] when
    there is no model or no text."""
    if model is None or not notes or not notes.strip():
        return []
    flags = model.predict([notes])[0]
    return [area for area, flag in zip(model.areas, flags, strict=True) if flag]


def read_notes(model: Any | None, notes: pd.Series, products: pd.DataFrame) -> pd.DataFrame:
    """What is read from each note (aligned with `notes`): `areas` the notes model reads (config
    order; [] without a model), `products` (names) and `competitors` named, and `offers` (lists
    of `offers.Offer`, product by its name). Each distinct note is read once."""
    from analytics.models.notes.mentions import mentions
    from analytics.models.notes.offers import offers

    texts = notes.fillna("").astype(str).to_numpy(dtype=object)
    names = dict(zip(products["product_id"], products["product_name"], strict=True))
    named = mentions(texts, products)
    if model is not None and len(texts):
        flags = model.predict(texts)
        areas = [[a for a, f in zip(model.areas, row, strict=True) if f] for row in flags]
    else:
        areas = [[] for _ in texts]
    said = [[o._replace(product=names.get(o.product, o.product)) for o in row] for row in offers(texts, products)]
    return pd.DataFrame(
        {
            "areas": areas,
            "products": [[names.get(p, p) for p in row] for row in named["products"]],
            "competitors": [list(row) for row in named["competitors"]],
            "offers": said,
        }
    )


def offer_text(offer: Any, lang: str) -> str:
    """One competitor offer read from a note, in words: "电信 互联网专线：3,800元/月"."""
    product = f" {offer.product}" if offer.product else ""
    competitor = i18n.label("competitor", offer.competitor, lang)
    if offer.kind == "free":
        key = "interviews.offer_free"
    elif offer.kind == "difference":
        key = "interviews.offer_dearer" if offer.amount > 0 else "interviews.offer_cheaper"
    else:
        key = f"interviews.offer_{offer.period or 'none'}"
    return i18n.text(key, lang, competitor=competitor, product=product, amount=f"{abs(offer.amount):,.0f}")


def read_table(con: duckdb.DuckDBPyConnection, model: Any | None, recent: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The month's interactions with what is read from their notes, in words of `lang`: when,
    which account, the note, the areas the notes model reads, the products and competitors named
    and the competitor offers (competitor, product, price). Empty when `recent` is."""
    columns = ["occurred_at", "account_name", "notes", "areas_read", "products_named", "competitors_named", "offers"]
    if recent.empty:
        return pd.DataFrame(columns=columns)
    catalogue = queries.run(con, "product_catalogue")
    read = read_notes(model, recent["notes"], catalogue)
    ids = {name: pid for pid, name in zip(catalogue["product_id"], catalogue["product_name"], strict=True)}
    listed = "、" if lang == "zh" else ", "

    def product(name: str) -> str:
        return i18n.label("product", ids[name], lang) if name in ids else name

    offers = [[o._replace(product=product(o.product)) if o.product else o for o in row] for row in read["offers"]]
    return pd.DataFrame(
        {
            "occurred_at": recent["occurred_at"].to_numpy(),
            "account_name": recent["account_name"].astype(str).to_numpy(),
            "notes": recent["notes"].fillna("").astype(str).to_numpy(),
            "areas_read": [listed.join(i18n.label("area", a, lang) for a in row) for row in read["areas"]],
            "products_named": [listed.join(product(p) for p in row) for row in read["products"]],
            "competitors_named": [
                listed.join(i18n.label("competitor", c, lang) for c in row) for row in read["competitors"]
            ],
            "offers": ["；".join(offer_text(o, lang) for o in row) for row in offers],
        }
    )
