"""The guideline's rules (SPEC §6), read from one TOML file: `analytics/common/rules.toml`, or the file
named by `NEEDSMINE_RULES`. The numbers live only there; this module checks their shape and
turns them into a `Rules` value. A bad file raises `RulesError` naming the file, key and reason.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from analytics import config

RULES_ENV = "NEEDSMINE_RULES"
DEFAULT_RULES = Path(__file__).resolve().parent / "rules.toml"

# Cadence classes: key accounts (重要集团客户) first, then the value classes.
CADENCE_CLASSES: tuple[str, ...] = ("key", "A", "B", "C", "D")
PROFILE_KINDS: tuple[str, ...] = ("basic", "personal")


class RulesError(ValueError):
    """The rules file is missing, unreadable or holds a value that makes no sense."""

    def __init__(self, path: Path, key: str, reason: str) -> None:
        self.path, self.key, self.reason = path, key, reason
        where = f"{path}: {key}: " if key else f"{path}: "
        super().__init__(where + reason)


@dataclass(frozen=True)
class VisitQuota:
    visits: int  # at least this many contacts …
    months: int  # … in this many months up to the as-of date


@dataclass(frozen=True)
class Pipeline:
    """The opportunities' stages (商机阶段) and why one is lost (`[opportunities]`)."""

    stages: tuple[str, ...]  # open stages, in order
    won: str
    lost: str
    lost_reasons: tuple[str, ...]
    competitor_reason: str  # the lost reason that names a competitor
    stalled_days: int = 30  # an open opportunity not moved in this many days is stalled
    # each open stage's weight in the stage-weighted forecast (share of expected value counted)
    stage_weights: tuple[tuple[str, float], ...] = (
        ("需求确认", 0.1),
        ("方案制定", 0.3),
        ("方案提交", 0.5),
        ("商务谈判", 0.7),
    )

    def weight(self, stage: str) -> float:
        """The forecast weight of `stage` (签约 1, 未成交 and a stage not configured 0)."""
        if stage == self.won:
            return 1.0
        return dict(self.stage_weights).get(stage, 0.0)

    @property
    def closed(self) -> tuple[str, str]:
        return (self.won, self.lost)

    @property
    def all_stages(self) -> tuple[str, ...]:
        return (*self.stages, self.won, self.lost)


@dataclass(frozen=True)
class Monitoring:
    """How the models are watched over time (`[monitoring]`, the model quality page)."""

    realised_auc_share_of_backtest: float = 0.9  # flag a model whose realised AUC falls below this share
    psi_moderate: float = 0.1  # a feature's PSI from which its distribution moved moderately …
    psi_shifted: float = 0.25  # … and from which it shifted


DEFAULT_PIPELINE = Pipeline(
    stages=("需求确认", "方案制定", "方案提交", "商务谈判"),
    won="签约",
    lost="未成交",
    lost_reasons=("价格", "竞争对手", "无预算", "他处决策", "需求消失"),
    competitor_reason="竞争对手",
    stalled_days=30,
)


@dataclass(frozen=True)
class Rules:
    path: Path
    # kind ("basic"/"personal") -> cadence class -> months between updates at most
    profile_months: dict[str, dict[str, int]]
    reports_per_manager_per_month: int
    urgent_kind: str
    urgent_deadline_working_days: int
    counted_channels: tuple[str, ...]
    visit_quota: dict[str, VisitQuota]  # cadence class -> quota
    churn_probability_at_least: float
    action_lookback_months: int
    pipeline: Pipeline = DEFAULT_PIPELINE
    monitoring: Monitoring = Monitoring()

    def cadence_params(self) -> dict[str, list]:
        """The profile cadences as parallel lists, bound as `$cadence_classes`, `$basic_months`,
        `$personal_months` (the queries unnest them into a small table)."""
        return {
            "cadence_classes": list(CADENCE_CLASSES),
            "basic_months": [self.profile_months["basic"][c] for c in CADENCE_CLASSES],
            "personal_months": [self.profile_months["personal"][c] for c in CADENCE_CLASSES],
        }

    def quota_params(self) -> dict[str, list]:
        """The visit quotas as parallel lists (`$quota_classes`, `$quota_visits`, `$quota_months`)
        plus `$counted_channels`."""
        return {
            "quota_classes": list(CADENCE_CLASSES),
            "quota_visits": [self.visit_quota[c].visits for c in CADENCE_CLASSES],
            "quota_months": [self.visit_quota[c].months for c in CADENCE_CLASSES],
            "counted_channels": list(self.counted_channels),
        }


def rules_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """An explicit path wins, then `NEEDSMINE_RULES`, then the packaged `rules.toml`."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(RULES_ENV)
    return Path(env) if env else DEFAULT_RULES


def load(path: str | os.PathLike[str] | None = None) -> Rules:
    """The rules of `path` (see `rules_path`), read again only when the file changes."""
    target = rules_path(path)
    try:
        stamp = target.stat().st_mtime_ns
    except OSError as err:
        raise RulesError(target, "", f"规则文件无法读取 / cannot read the rules file ({err.strerror})") from None
    return _load(target, stamp)


def at_risk_probability(path: str | os.PathLike[str] | None = None) -> float:
    """The churn probability (within the model's churn window) from which an account counts as
    at risk: the guideline's retention threshold, `retention.churn_probability_at_least`. Read
    from the rules file on every call (cheap: `load` rereads only a changed file), so that a
    change of the file applies to every page; never keep it in a module constant."""
    return load(path).churn_probability_at_least


def is_at_risk(probability: float | None, threshold: float | None = None) -> bool:
    """Whether an account whose churn probability is `probability` is at risk: at least
    `threshold` (default: `at_risk_probability()`). The Python twin of the SQL macro `is_at_risk`
    (`sql/macros/is_at_risk.sql`), for code that holds one account's score; an account without a
    score (None, NaN) is not at risk."""
    if probability is None or probability != probability:  # None or NaN
        return False
    return float(probability) >= (at_risk_probability() if threshold is None else threshold)


def write_build_rules(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str] | None = None) -> None:
    """Store the rules the warehouse's stored layers count by (the urgent report kind, which the
    churn features count) as the one-row table `build_rules` (`sql/rules/build_rules.sql`), with
    bound values. The build calls it first: its views cannot take parameters."""
    sql = (config.SQL_DIR / "rules" / "build_rules.sql").read_text(encoding="utf-8")
    con.execute(sql, {"urgent_kind": load(path).urgent_kind})


@cache
def _load(path: Path, _stamp: int) -> Rules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise RulesError(path, "", f"不是有效的 TOML / not valid TOML ({err})") from None
    except (OSError, UnicodeDecodeError) as err:
        raise RulesError(path, "", f"规则文件无法读取 / cannot read the rules file ({err})") from None
    return _parse(path, data)


# ---- checking the file ---------------------------------------------------------------------


@cache
def schema_enum(type_name: str) -> tuple[str, ...]:
    """Labels of an enum type as the schema DDL (`sql/schema/00_types.sql`) declares them."""
    ddl = (config.SQL_DIR / "schema" / "00_types.sql").read_text(encoding="utf-8")
    match = re.search(rf"create type {type_name} as enum \((.*?)\);", ddl, flags=re.S)
    if match is None:
        raise KeyError(type_name)
    return tuple(re.findall(r"'([^']*)'", match.group(1)))


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, reason: str) -> RulesError:
        return RulesError(self.path, key, reason)

    def table(self, data: dict, key: str, allowed: set[str]) -> dict[str, Any]:
        value = data
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                raise self.fail(key, "缺少此项 / missing")
            value = value[part]
        if not isinstance(value, dict):
            raise self.fail(key, "应为表 / must be a table ([section])")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}", f"未知的键 / unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def integer(self, table: dict, key: str, name: str, *, low: int, high: int) -> int:
        if name not in table:
            raise self.fail(f"{key}.{name}", "缺少此项 / missing")
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            reason = f"应为 {low}–{high} 的整数 / must be a whole number from {low} to {high} (got {value!r})"
            raise self.fail(f"{key}.{name}", reason)
        return value

    def number(self, table: dict, key: str, name: str, *, low: float, high: float) -> float:
        if name not in table:
            raise self.fail(f"{key}.{name}", "缺少此项 / missing")
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            reason = f"应为 {low}–{high} 的数 / must be a number from {low} to {high} (got {value!r})"
            raise self.fail(f"{key}.{name}", reason)
        return float(value)

    def choice(self, table: dict, key: str, name: str, allowed: tuple[str, ...]) -> str:
        if name not in table:
            raise self.fail(f"{key}.{name}", "缺少此项 / missing")
        value = table[name]
        if value not in allowed:
            reason = f"应为 {' / '.join(allowed)} 之一 / must be one of {', '.join(allowed)} (got {value!r})"
            raise self.fail(f"{key}.{name}", reason)
        return value


def _parse(path: Path, data: dict[str, Any]) -> Rules:
    r = _Reader(path)
    top = set(data) - {"profiles", "reports", "visits", "retention", "opportunities", "monitoring"}
    if top:
        allowed = "profiles, reports, visits, retention, opportunities, monitoring"
        raise r.fail(sorted(top)[0], f"未知的键 / unknown key (allowed: {allowed})")
    r.table(data, "profiles", set(PROFILE_KINDS))

    profile_months: dict[str, dict[str, int]] = {}
    for kind in PROFILE_KINDS:
        key = f"profiles.{kind}"
        table = r.table(data, key, set(CADENCE_CLASSES))
        months = {c: r.integer(table, key, c, low=1, high=60) for c in CADENCE_CLASSES if c != "D"}
        months["D"] = r.integer(table, key, "D", low=1, high=60) if "D" in table else months["C"]
        profile_months[kind] = months

    reports = r.table(data, "reports", {"per_manager_per_month", "urgent_kind", "urgent_deadline_working_days"})
    visits = r.table(data, "visits", {"counted_channels", "quota"})
    channels = visits.get("counted_channels")
    allowed_channels = schema_enum("channel")
    if not isinstance(channels, list) or not channels:
        raise r.fail("visits.counted_channels", "应为非空列表 / must be a non-empty list of channels")
    for channel in channels:
        if channel not in allowed_channels:
            reason = f"未知渠道 / unknown channel {channel!r} (allowed: {', '.join(allowed_channels)})"
            raise r.fail("visits.counted_channels", reason)
    quota_table = r.table(data, "visits.quota", set(CADENCE_CLASSES))
    quota: dict[str, VisitQuota] = {}
    for c in CADENCE_CLASSES:
        key = f"visits.quota.{c}"
        if c not in quota_table:
            raise r.fail(key, "缺少此项 / missing")
        entry = r.table(data, key, {"visits", "months"})
        quota[c] = VisitQuota(
            visits=r.integer(entry, key, "visits", low=0, high=100),
            months=r.integer(entry, key, "months", low=1, high=24),
        )

    if isinstance(data.get("retention"), dict) and "top_revenue_at_risk_share" in data["retention"]:
        reason = (
            "已不再使用：风险客户只按 churn_probability_at_least 判定，请删除此项 / no longer used: an account is"
            " at risk by churn_probability_at_least alone; delete this key"
        )
        raise r.fail("retention.top_revenue_at_risk_share", reason)
    retention = r.table(data, "retention", {"churn_probability_at_least", "action_lookback_months"})
    return Rules(
        path=path,
        profile_months=profile_months,
        reports_per_manager_per_month=r.integer(reports, "reports", "per_manager_per_month", low=0, high=100),
        urgent_kind=r.choice(reports, "reports", "urgent_kind", schema_enum("report_kind")),
        urgent_deadline_working_days=r.integer(reports, "reports", "urgent_deadline_working_days", low=1, high=30),
        counted_channels=tuple(channels),
        visit_quota=quota,
        churn_probability_at_least=r.number(retention, "retention", "churn_probability_at_least", low=0.0, high=1.0),
        action_lookback_months=r.integer(retention, "retention", "action_lookback_months", low=1, high=36),
        pipeline=_pipeline(r, data),
        monitoring=_monitoring(r, data),
    )


def _names(r: _Reader, table: dict, key: str, name: str) -> tuple[str, ...]:
    value = table.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise r.fail(f"{key}.{name}", "应为非空的名称列表 / must be a non-empty list of names")
    if len(set(value)) != len(value):
        raise r.fail(f"{key}.{name}", "名称重复 / a name is listed twice")
    return tuple(v.strip() for v in value)


def _name(r: _Reader, table: dict, key: str, name: str) -> str:
    value = table.get(name)
    if not isinstance(value, str) or not value.strip():
        raise r.fail(f"{key}.{name}", "应为非空名称 / must be a non-empty name")
    return value.strip()


def _pipeline(r: _Reader, data: dict[str, Any]) -> Pipeline:
    """The `[opportunities]` section, or the defaults when the file has none (a copy of the rules
    made before opportunities existed still loads)."""
    if "opportunities" not in data:
        return DEFAULT_PIPELINE
    key = "opportunities"
    allowed = {"stages", "won", "lost", "lost_reasons", "competitor_reason", "stalled_days", "stage_weights"}
    table = r.table(data, key, allowed)
    d = DEFAULT_PIPELINE
    stages = _names(r, table, key, "stages") if "stages" in table else d.stages
    won = _name(r, table, key, "won") if "won" in table else d.won
    lost = _name(r, table, key, "lost") if "lost" in table else d.lost
    if len({*stages, won, lost}) != len(stages) + 2:
        raise r.fail(
            f"{key}.won", "签约与未成交须不同于各阶段及彼此 / won and lost must differ from the stages and each other"
        )
    reasons = _names(r, table, key, "lost_reasons") if "lost_reasons" in table else d.lost_reasons
    competitor = _name(r, table, key, "competitor_reason") if "competitor_reason" in table else d.competitor_reason
    if competitor not in reasons:
        raise r.fail(
            f"{key}.competitor_reason", f"应为 lost_reasons 之一 / must be one of lost_reasons (got {competitor!r})"
        )
    stalled = r.integer(table, key, "stalled_days", low=1, high=365) if "stalled_days" in table else d.stalled_days
    weights = _weights(r, table, key, stages) if "stage_weights" in table else None
    if weights is None:  # the defaults for the default stages, an even ramp for stages renamed
        default = dict(d.stage_weights)
        ramp = {s: round((n + 1) / (len(stages) + 1), 2) for n, s in enumerate(stages)}
        weights = tuple((s, default.get(s, ramp[s])) for s in stages)
    return Pipeline(stages, won, lost, reasons, competitor, stalled, weights)


def _weights(r: _Reader, table: dict, key: str, stages: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """`stage_weights`: one weight in [0, 1] for every open stage, named by stage."""
    value = table.get("stage_weights")
    name = f"{key}.stage_weights"
    if not isinstance(value, dict):
        raise r.fail(name, "应为表：阶段 = 权重 / must be a table: stage = weight")
    unknown = sorted(set(value) - set(stages))
    if unknown:
        raise r.fail(f"{name}.{unknown[0]}", f"不是阶段之一 / not one of the stages ({', '.join(stages)})")
    missing = [s for s in stages if s not in value]
    if missing:
        raise r.fail(f"{name}.{missing[0]}", "缺少此阶段的权重 / missing the weight of this stage")
    return tuple((s, r.number(value, name, s, low=0.0, high=1.0)) for s in stages)


def _monitoring(r: _Reader, data: dict[str, Any]) -> Monitoring:
    """The `[monitoring]` section; a key (or the section) left out keeps its default."""
    key, d = "monitoring", Monitoring()
    if key not in data:
        return d
    table = r.table(data, key, {"realised_auc_share_of_backtest", "psi_moderate", "psi_shifted"})

    def value(name: str, default: float, high: float) -> float:
        return r.number(table, key, name, low=0.0, high=high) if name in table else default

    share = value("realised_auc_share_of_backtest", d.realised_auc_share_of_backtest, 1.0)
    moderate, shifted = value("psi_moderate", d.psi_moderate, 10.0), value("psi_shifted", d.psi_shifted, 10.0)
    if not 0 < moderate < shifted:
        reason = f"应满足 0 < psi_moderate < psi_shifted / must be above 0 and below psi_shifted (got {moderate!r})"
        raise r.fail(f"{key}.psi_moderate", reason)
    return Monitoring(share, moderate, shifted)
