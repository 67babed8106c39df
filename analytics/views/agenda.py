"""The manager's agenda (我的待办): for one manager and a day, what is overdue, due today, this week
and soon, drawn from the guideline's rules as the compliance checks judge them (profile cadence,
visit quota, the month's competitor report, at-risk accounts without action, retention actions)
and from the manager's own work (opportunities' next steps, stalled opportunities, agreements
expiring). Each rule is the compliance module's: this module only dates what it finds.

Exports: `excel_bytes` (every item) and `ics_bytes` (an iCalendar file of the week's items, RFC 5545).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import duckdb
import pandas as pd

from analytics.access import pages
from analytics.common import i18n
from analytics.common.filters import Filters
from analytics.common.months import day_end, month_end, month_start
from analytics.common.rules import Rules
from analytics.views import compliance
from analytics.views.compliance.visits import visit_counts
from analytics.views.pipeline import reads
from analytics.warehouse import queries

HORIZON_DAYS = 14  # items due up to this many days ahead are listed ("later" beyond this week)
AGREEMENT_DAYS = 90  # agreements expiring within this many days
STATUSES: tuple[str, ...] = ("overdue", "today", "week", "later")
KINDS: tuple[str, ...] = (
    "profile_basic",
    "profile_personal",
    "visit",
    "report",
    "at_risk",
    "retention",
    "next_step",
    "stalled",
    "agreement",
)
# The order items are listed in, within what is due now (overdue or today) and within what is due
# later: an account about to be lost first (at risk without action, a retention follow-up), then
# the manager's own deals, then the rules' routine. Oldest due first within a kind. (Listed by due
# date alone, a manager's agenda opened on a year of overdue routine visits, and the account at
# risk today came 84th.)
URGENCY: tuple[str, ...] = (
    "at_risk",
    "retention",
    "next_step",
    "agreement",
    "report",
    "stalled",
    "visit",
    "profile_basic",
    "profile_personal",
)
COLUMNS: tuple[str, ...] = ("status", "due_on", "kind", "account_id", "account_name", "todo", "item_link")
OPEN_ACTIONS = ("计划", "进行中")
ACCOUNT_QUERY = "account"  # ?account=ID, as the account view reads it


@dataclass(frozen=True)
class Item:
    kind: str
    account_id: str | None
    account_name: str | None
    todo: str
    due_on: dt.date
    page: str  # the page the item is done on (a name of analytics/access/pages.py)
    key: str  # what makes the item itself (with kind and account): its calendar UID


def week_end(today: dt.date) -> dt.date:
    """The Sunday of `today`'s week (weeks run Monday to Sunday)."""
    return today + dt.timedelta(days=6 - today.weekday())


def status_of(due_on: dt.date, today: dt.date) -> str:
    """overdue (before today), today, week (up to this week's Sunday) or later."""
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "today"
    return "week" if due_on <= week_end(today) else "later"


def link(page: str, account_id: str | None = None, base_path: str = "") -> str:
    """The address of `page` (below the server's `base_path`), opened on `account_id` when given."""
    base = "/".join(part for part in str(base_path or "").split("/") if part)
    path = "/" + "/".join(quote(p) for p in (base, pages.get(page).url) if p)
    return f"{path}?{urlencode({ACCOUNT_QUERY: account_id})}" if account_id else path


def _date(value: object) -> dt.date:
    return pd.Timestamp(value).date()


def _text(key: str, lang: str, **values: object) -> str:
    return i18n.text(key, lang, **values)


def manager_scope(manager_id: str, today: dt.date, scope_managers: tuple[str, ...] | None) -> Filters:
    """The accounts of `manager_id` within the user's reach."""
    return Filters(month=month_start(today), managers=(manager_id,), scope_managers=scope_managers)


def _profiles(con, today, scope, rules, lang) -> list[Item]:
    status = compliance.profile_status(con, today, scope, rules)
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    out = []
    for row in status.to_dict("records"):
        due = _date(row["due_on"])
        if due <= horizon:
            kind = f"profile_{row['kind']}"
            todo = _text(f"agenda.todo.{kind}", lang, months=row["cadence_months"])
            out.append(Item(kind, row["account_id"], row["account_name"], todo, due, "account", str(due)))
    return out


def _visits(con, today, scope, rules, lang) -> list[Item]:
    """An account is due a visit on the first day the quota judges it under quota (from today up to
    the horizon); one under quota today was due from the day its last counted contact left the
    window (today when it has none)."""
    now = visit_counts(con, today, scope, rules)
    due: dict[str, tuple[dt.date, dict]] = {}
    for row in now[now["is_under_quota"]].to_dict("records"):
        day = today
        if pd.notna(row["last_contact_at"]) and row["quota_visits"] == 1:
            left = pd.Timestamp(_date(row["last_contact_at"])) + pd.DateOffset(months=int(row["quota_months"]))
            day = min(today, left.date())
        due[row["account_id"]] = (day, row)
    for ahead in range(1, HORIZON_DAYS + 1):
        day = today + dt.timedelta(days=ahead)
        later = visit_counts(con, day, scope, rules)
        for row in later[later["is_under_quota"]].to_dict("records"):
            due.setdefault(row["account_id"], (day, row))
    out = []
    for account_id, (day, row) in due.items():
        todo = _text("agenda.todo.visit", lang, visits=row["quota_visits"], months=row["quota_months"])
        out.append(Item("visit", account_id, row["account_name"], todo, day, "interviews", str(day)))
    return out


def _report(con, today, scope, rules, manager_id, lang) -> list[Item]:
    managers = compliance.report_managers(con, today, scope, rules)
    mine = managers[managers["manager_id"] == manager_id]
    if mine.empty or bool(mine["has_enough_reports"].iloc[0]):
        return []
    todo = _text("agenda.todo.report", lang, n=rules.reports_per_manager_per_month, month=f"{today:%Y-%m}")
    due = month_end(today)
    return [Item("report", None, None, todo, due, "competitor_reports", f"{today:%Y-%m}")]


def _at_risk(con, today, scope, rules, lang) -> list[Item]:
    frame = compliance.without_action(compliance.at_risk_accounts(con, today, scope, rules))
    out = []
    for row in frame.to_dict("records"):
        todo = _text("agenda.todo.at_risk", lang, p=f"{float(row['churn_probability']):.0%}")
        out.append(Item("at_risk", row["account_id"], row["account_name"], todo, today, "retention", "risk"))
    return out


def _retention(con, today, scope, lang) -> list[Item]:
    since = dt.datetime(1900, 1, 1)
    actions = compliance.retention_actions(con, since, day_end(today), scope)
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    out = []
    for row in actions.to_dict("records"):
        if row["status"] not in OPEN_ACTIONS or pd.isna(row["due_on"]) or _date(row["due_on"]) > horizon:
            continue
        todo = _text("agenda.todo.retention", lang, action=row["action"])
        due = _date(row["due_on"])
        out.append(Item("retention", row["account_id"], row["account_name"], todo, due, "retention", row["action_id"]))
    return out


def _opportunities(con, today, manager_id, scope_managers, rules, lang) -> list[Item]:
    open_frame = reads.of_manager(reads.opportunities(con, scope_managers, pipeline=rules.pipeline), manager_id)
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    stalled = rules.pipeline.stalled_days
    out = []
    for row in open_frame.to_dict("records"):
        oid, account, name = row["opportunity_id"], row["account_id"], row["account_name"]
        area = i18n.label("area", row["area"], lang)
        if pd.notna(row["next_step_on"]) and _date(row["next_step_on"]) <= horizon:
            step = "" if row["next_step"] is None or pd.isna(row["next_step"]) else str(row["next_step"])
            todo = _text("agenda.todo.next_step", lang, area=area, step=step)
            out.append(Item("next_step", account, name, todo, _date(row["next_step_on"]), "account", oid))
        since = _date(row["stage_since"])
        if (today - since).days >= stalled:
            stage = reads.stage_label(row["stage"], lang)
            todo = _text("agenda.todo.stalled", lang, area=area, stage=stage, days=(today - since).days)
            due = since + dt.timedelta(days=stalled)
            out.append(Item("stalled", account, name, todo, due, "account", oid))
    return out


def _agreements(con, today, scope, lang) -> list[Item]:
    params = {**scope.params(), "as_of": today, "until": today + dt.timedelta(days=AGREEMENT_DAYS)}
    out = []
    for row in queries.run(con, "agenda_agreements", params).to_dict("records"):
        due = _date(row["agreement_expires_on"])
        todo = _text("agenda.todo.agreement", lang, day=f"{due:%Y-%m-%d}")
        out.append(Item("agreement", row["account_id"], row["account_name"], todo, due, "account", str(due)))
    return out


def items(
    con: duckdb.DuckDBPyConnection,
    manager_id: str,
    today: dt.date,
    rules: Rules,
    *,
    scope_managers: tuple[str, ...] | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> list[Item]:
    """Every agenda item of `manager_id`'s accounts (within the user's reach `scope_managers`) due
    up to HORIZON_DAYS after `today` (agreements: AGREEMENT_DAYS), overdue ones included: first
    what is due now (overdue or today), then this week, then later; within each, by URGENCY, then
    oldest due first."""
    scope = manager_scope(manager_id, today, scope_managers)
    found = [
        *_profiles(con, today, scope, rules, lang),
        *_visits(con, today, scope, rules, lang),
        *_report(con, today, scope, rules, manager_id, lang),
        *_at_risk(con, today, scope, rules, lang),
        *_retention(con, today, scope, lang),
        *_opportunities(con, today, manager_id, scope_managers, rules, lang),
        *_agreements(con, today, scope, lang),
    ]
    return ordered(found, today)


def ordered(found: list[Item], today: dt.date) -> list[Item]:
    """The items as the agenda lists them: due now (overdue or today) first, then this week, then
    later; within each by URGENCY, then oldest due first."""

    def key(item: Item) -> tuple:
        status = status_of(item.due_on, today)
        now = 0 if status in ("overdue", "today") else STATUSES.index(status)
        return (now, URGENCY.index(item.kind), item.due_on, item.account_id or "", item.key)

    return sorted(found, key=key)


def frame(found: list[Item], today: dt.date, base_path: str = "") -> pd.DataFrame:
    """The items as a table (COLUMNS): status, due date, kind, account, what to do, link."""
    rows = [
        {
            "status": status_of(i.due_on, today),
            "due_on": pd.Timestamp(i.due_on),
            "kind": i.kind,
            "account_id": i.account_id or "",
            "account_name": i.account_name or "",
            "todo": i.todo,
            "item_link": link(i.page, i.account_id, base_path),
        }
        for i in found
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def this_week(found: list[Item], today: dt.date) -> list[Item]:
    """The items of the calendar file: due from today up to this week's Sunday (overdue ones are
    moved to today: they are to be done now)."""
    return [i for i in found if i.due_on <= week_end(today)]


def counts(found: list[Item], today: dt.date) -> dict[str, int]:
    """How many items per status."""
    out = dict.fromkeys(STATUSES, 0)
    for i in found:
        out[status_of(i.due_on, today)] += 1
    return out


# ---- exports -------------------------------------------------------------------------------------


def shown(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table in words: status and kind in `lang` (user text as typed)."""
    out = table.copy()
    out["status"] = [i18n.text(f"agenda.status.{s}", lang) for s in out["status"]]
    out["kind"] = [i18n.text(f"agenda.kind.{k}", lang) for k in out["kind"]]
    return out


def excel_bytes(table: pd.DataFrame, lang: str) -> bytes:
    """The items as an .xlsx workbook, headers `agenda.col.<name>` in `lang`; text a spreadsheet
    would run as a formula quoted (`exports.formula_safe`: a next step typed as "=1+1")."""
    from analytics.views import exports
    from analytics.views.opportunities import excel_bytes as write

    headers = {c: i18n.text(f"agenda.col.{c}", lang) for c in table.columns}
    return write(exports.formula_safe(shown(table, lang)), headers, i18n.text("agenda.sheet", lang))


def ics_escape(value: str) -> str:
    """A TEXT value per RFC 5545 §3.3.11: backslash, semicolon, comma escaped; newlines as \\n."""
    out = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return out.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 §3.1): CRLF and one space before each
    continuation, never inside a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        n = len(char.encode("utf-8"))
        limit = 75 if not parts else 74  # a continuation starts with the one space
        if size + n > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += n
    parts.append(current)
    return "\r\n ".join(parts)


def uid(item: Item, manager_id: str) -> str:
    """The same item gets the same UID every time it is exported (a calendar updates it in place)."""
    raw = "-".join(part for part in (item.kind, item.account_id or "", item.key, manager_id) if part)
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in raw)
    return f"{safe}@needsmine"


def ics_bytes(
    found: list[Item], manager_id: str, today: dt.date, now: dt.datetime, lang: str, base_path: str = ""
) -> bytes:
    """An iCalendar file of the week's items (`this_week`): one all-day VEVENT each, on its due day
    (an overdue one on today), CRLF line endings, lines folded at 75 octets. `now` (UTC) is DTSTAMP."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//needsmine//agenda//ZH", "CALSCALE:GREGORIAN"]
    for item in this_week(found, today):
        day = max(item.due_on, today)
        kind = i18n.text(f"agenda.kind.{item.kind}", lang)
        summary = f"{kind}: {item.account_name}" if item.account_name else kind
        description = f"{item.todo}\n{link(item.page, item.account_id, base_path)}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(item, manager_id)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ics_escape(summary)}",
            f"DESCRIPTION:{ics_escape(description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("".join(ics_fold(line) + "\r\n" for line in lines)).encode("utf-8")
