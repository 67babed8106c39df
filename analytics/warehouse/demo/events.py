"""Event rows of one month: interviews, complaints, competitor reports (as Arrow tables)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.config import AREAS
from analytics.warehouse.demo.notes import build_notes, phrase_group_of

CHANNELS = np.array(["电话", "上门", "座谈会", "微信", "邮件"])
CHANNEL_P = [0.38, 0.42, 0.05, 0.12, 0.03]
CONTACT_ROLES = np.array(["联系人", "决策人", "部门管理者", "员工", "关联单位"])
CONTACT_ROLE_P = [0.45, 0.2, 0.2, 0.1, 0.05]
COMPETITORS = np.array(["中国电信", "中国联通", "中国广电", "其他"])
COMPETITOR_P = [0.5, 0.35, 0.1, 0.05]
GENERAL_KINDS = np.array(["产品", "资费", "营销活动", "服务承诺"])
REPORT_TEXT = {
    "产品": ("推出政企融合新产品，含专线与云服务打包", "发布5G行业专网新方案", "上线云视频会议免费试用"),
    "资费": ("专线资费下调约两成", "集团短号网月费五折", "宽带提速不提价"),
    "营销活动": ("开展政企客户节日回馈活动", "新入网集团赠送终端", "举办行业数字化沙龙"),
    "服务承诺": ("承诺故障两小时上门", "提供专属客户经理7×24小时服务", "承诺首年免费运维"),
    "争抢": (
        "对我方集团客户上门推介，报价低于我方三成，客户关键人有意向",
        "以免费试用为条件劝说客户迁移专线",
        "针对该集团推出定向补贴，要求整体携号转网",
    ),
}
COMPLAINT_CATEGORIES = np.array(["网络质量", "资费账单", "业务办理", "服务态度", "故障维修"])
COMPLAINT_P = [0.35, 0.25, 0.15, 0.1, 0.15]
SEVERITIES = np.array(["一般", "严重", "重大"])


def _times_in_month(rng: np.random.Generator, month_start: np.datetime64, days: int, n: int) -> np.ndarray:
    """Working-hours timestamps spread over one month (second resolution)."""
    day = rng.integers(0, days, n)
    seconds = rng.integers(8 * 3600, 19 * 3600, n)
    return month_start.astype("datetime64[s]") + (day * 86400 + seconds).astype("timedelta64[s]")


def area_lists(tags: np.ndarray) -> pa.Array:
    """A list<string> array of the area codes true in each row of a (n, 4) boolean array."""
    offsets = np.concatenate([[0], np.cumsum(tags.sum(axis=1))]).astype(np.int32)
    values = np.broadcast_to(np.array(AREAS), tags.shape)[tags]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.string()))


def interviews(
    rng: np.random.Generator,
    who: np.ndarray,
    tags: np.ndarray,
    competitor_news: np.ndarray,
    account_ids: pa.Array,
    manager_ids: pa.Array,
    manager_of: np.ndarray,
    month_start: np.datetime64,
    days: int,
) -> pa.Table:
    n = who.size
    visited_ids = account_ids.take(pa.array(who))
    return pa.table(
        {
            "account_id": visited_ids,
            "manager_id": manager_ids.take(pa.array(manager_of[who])),
            "occurred_at": _times_in_month(rng, month_start, days, n),
            "channel": CHANNELS[rng.choice(CHANNELS.size, n, p=CHANNEL_P)],
            "contact_role": CONTACT_ROLES[rng.choice(CONTACT_ROLES.size, n, p=CONTACT_ROLE_P)],
            "notes": build_notes(rng, tags, competitor_news, phrase_group_of(visited_ids.to_pylist())),
            "needs_found": area_lists(tags),
        }
    )


def complaints(
    rng: np.random.Generator,
    counts: np.ndarray,
    risk: np.ndarray,
    account_ids: pa.Array,
    month_start: np.datetime64,
    days: int,
    data_end: np.datetime64,
) -> pa.Table:
    who = np.repeat(np.arange(counts.size), counts)
    n = who.size
    opened = _times_in_month(rng, month_start, days, n)
    hot = np.clip(risk[who], 0, None)
    severity = np.where(rng.random(n) < 0.05 + 0.05 * hot, 2, np.where(rng.random(n) < 0.2 + 0.1 * hot, 1, 0))
    resolved = opened + (rng.exponential(3 * 86400, n) + 3600).astype("timedelta64[s]")
    open_still = (resolved > data_end.astype("datetime64[s]")) & (rng.random(n) < 0.7)
    return pa.table(
        {
            "account_id": account_ids.take(pa.array(who)),
            "opened_at": opened,
            "category": COMPLAINT_CATEGORIES[rng.choice(COMPLAINT_CATEGORIES.size, n, p=COMPLAINT_P)],
            "severity": SEVERITIES[severity],
            "resolved_at": pa.array(resolved, mask=open_still),
        }
    )


def competitor_reports(
    rng: np.random.Generator,
    poached: np.ndarray,
    reported_share: float,
    manager_of: np.ndarray,
    diligence: np.ndarray,
    accounts_of_manager: list[np.ndarray],
    account_ids: pa.Array,
    manager_ids: pa.Array,
    month_start: np.datetime64,
    days: int,
) -> pa.Table:
    """Urgent poaching reports (争抢) for the poaching attempts a manager noticed, mostly within a
    working day and some late; plus each manager's general market reports — diligent managers
    file at least one a month, others sometimes none."""
    urgent = np.flatnonzero(poached & (rng.random(poached.size) < reported_share))
    late = rng.random(urgent.size) < 0.15
    lag_hours = np.where(late, rng.uniform(30, 120, urgent.size), rng.uniform(0.5, 20, urgent.size))

    n_mgr = diligence.size
    files = rng.random(n_mgr) < diligence
    count = np.where(files, 1 + rng.poisson(0.5, n_mgr), 0)
    mgr = np.repeat(np.arange(n_mgr), count)
    with_account = rng.random(mgr.size) < 0.5
    general_acc = np.array(
        [
            accounts_of_manager[m][rng.integers(0, accounts_of_manager[m].size)] if accounts_of_manager[m].size else -1
            for m in mgr
        ],
        dtype=np.int64,
    )
    with_account &= general_acc >= 0

    kinds = np.concatenate([np.full(urgent.size, "争抢"), GENERAL_KINDS[rng.integers(0, 4, mgr.size)]])
    n = kinds.size
    observed = _times_in_month(rng, month_start, days, n)
    lag = np.concatenate([lag_hours * 3600, rng.uniform(2, 7 * 24, mgr.size) * 3600]).astype("timedelta64[s]")
    acc = np.concatenate([urgent, np.where(with_account, general_acc, 0)])
    has_acc = np.concatenate([np.ones(urgent.size, bool), with_account])
    competitor = COMPETITORS[rng.choice(COMPETITORS.size, n, p=COMPETITOR_P)]
    text_pick = rng.integers(0, 3, n)
    description = np.array([f"{c}{REPORT_TEXT[k][j]}" for c, k, j in zip(competitor, kinds, text_pick, strict=True)])
    return pa.table(
        {
            "manager_id": manager_ids.take(pa.array(np.concatenate([manager_of[urgent], mgr]))),
            "account_id": _masked(account_ids.take(pa.array(acc)), ~has_acc),
            "competitor": competitor,
            "kind": kinds,
            "observed_at": observed,
            "reported_at": observed + lag,
            "description": description,
        }
    )


def _masked(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """values with nulls where mask is true."""
    return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)
