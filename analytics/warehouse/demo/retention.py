"""Retention actions (客户挽留) in the demo: who the managers act on, which kind, what it does.

Called by `simulate.py` once a month, after the month's events, with a generator of its own so
that the other tables' draws stay as they were (only churns the actions avert differ). See
`mechanism.py` for the model; the truth of each account's effect per kind goes to
`truth_retention_effects`, the actions themselves to `retention_actions` (written at the end,
when their outcome is known).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.config import WINDOWS
from analytics.warehouse.demo.mechanism import Mechanism

# The kinds of the 客户挽留 form (enum action_kind), in this order everywhere.
KINDS = ("price_offer", "visit", "solution_upgrade", "service_recovery", "renewal")
ACTION_TEXT = {
    "price_offer": ("提供专线资费优惠方案", "赠送流量包并下调套餐资费", "按新签价格给予阶段性折扣"),
    "visit": ("上门拜访决策人", "分管领导高层拜访", "邀请客户高层座谈并走访现场"),
    "solution_upgrade": ("升级整体信息化方案", "增配云视讯与移动办公套件", "提供物联网融合方案试用"),
    "service_recovery": ("投诉回访并限期整改网络质量", "减免故障期间费用并致歉", "指定专人跟进投诉处理"),
    "renewal": ("提前洽谈协议续签", "续签三年协议并锁定资费", "协议到期前上门续约"),
}
OUTCOME_TEXT = {0: "挽留成功", 1: "挽留失败", 2: "部分挽留", 3: "部分挽留"}


def window_probability(logit: np.ndarray) -> np.ndarray:
    """Probability that churn starts within the churn window at the monthly hazard sigmoid(logit)."""
    return 1 - (1 - 1 / (1 + np.exp(-logit))) ** WINDOWS.churn_months


def effects(
    mech: Mechanism,
    price_sensitivity: np.ndarray,
    complaints_3m: np.ndarray,
    expiring: np.ndarray,
    is_key: np.ndarray,
    value_class: np.ndarray,
    n_products: np.ndarray,
) -> np.ndarray:
    """(n, 5) reduction of the churn logit each kind would bring this month (KINDS order, ≥ 0)."""
    large = (value_class <= 1) & ~is_key
    return np.stack(
        [
            mech.effect_price * np.clip(price_sensitivity, 0, 2),
            mech.effect_visit_key * is_key + mech.effect_visit_large * large,
            mech.effect_upgrade * np.clip(4 - n_products, 0, 3),
            mech.effect_recovery * np.minimum(complaints_3m, 3),
            mech.effect_renewal * expiring,
        ],
        axis=1,
    )


@dataclass
class Retention:
    """The managers' retention work across the months; `step` once a month."""

    mech: Mechanism
    rng: np.random.Generator
    n: int
    value_class: np.ndarray
    is_key: np.ndarray
    manager_of: np.ndarray
    diligence: np.ndarray
    account_ids: np.ndarray
    price_sensitivity: np.ndarray = field(init=False)
    held_out: np.ndarray = field(init=False)
    lift: np.ndarray = field(init=False)  # logit reduction in force for the next hazards
    lift_left: np.ndarray = field(init=False)  # hazards it still applies to
    taken: list = field(default_factory=list)  # (month, rows, kind) per month

    def __post_init__(self) -> None:
        # A latent trait (unobserved), more common among the smaller classes.
        self.price_sensitivity = 0.7 * self.rng.normal(size=self.n) + 0.9 * (self.value_class >= 2) - 0.4
        # Accounts the department keeps out of every action, drawn once.
        self.held_out = self.rng.random(self.n) < self.mech.retention_holdout
        self.lift = np.zeros(self.n)
        self.lift_left = np.zeros(self.n, np.int64)
        self.position = {a: i for i, a in enumerate(self.account_ids)}
        self.bills = np.zeros((6, self.n))  # each account's bill of the last 6 months (newest first)
        self.reported_before = np.zeros(self.n, bool)  # named in an urgent report last month

    def step(
        self,
        t: int,
        pre: np.ndarray,
        complaints_3m: np.ndarray,
        reports: pa.Table,
        expiring: np.ndarray,
        n_products: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Decide the month's actions on what the managers see: complaints in the last 3 months,
        a poaching attempt reported (in the month's `reports`) this or last month, the bill of the
        last 3 months ≥ 10% below that of the 3 before, an agreement running out. Returns (the
        (n, 5) logit reductions each kind would bring now, the logit reduction in force for the
        next hazard)."""
        m = self.mech
        rng = self.rng
        reported_now = self.reported(reports)
        reported_poaching = reported_now | self.reported_before
        self.reported_before = reported_now
        falling = self.bills[:3].sum(axis=0) < 0.9 * self.bills[3:].sum(axis=0)
        delta = effects(m, self.price_sensitivity, complaints_3m, expiring, self.is_key, self.value_class, n_products)
        seen = (
            m.seen_complaints * (complaints_3m > 0)
            + m.seen_poaching * reported_poaching
            + m.seen_falling * falling
            + m.seen_expiring * expiring
        )
        at_risk = seen >= m.seen_threshold
        p_act = np.where(
            at_risk,
            np.minimum(m.act_max, m.act_base + m.act_seen * seen) * np.minimum(self.diligence[self.manager_of], 1.0),
            m.act_routine,
        )
        u = rng.random(self.n)
        self.lift_left -= 1
        self.lift[self.lift_left <= 0] = 0.0
        free = self.lift_left <= 0  # one action at a time: none while another is in force
        act = pre & free & ~self.held_out & (u < p_act)
        # Which kind: what the manager sees suggests it, with room for habit (Gumbel noise).
        score = np.stack(
            [
                0.4 + 1.0 * reported_poaching + 0.5 * falling,
                0.2 + 1.2 * self.is_key + 0.5 * (self.value_class <= 1),
                0.0 + 0.8 * (n_products <= 2),
                -0.2 + 1.6 * (complaints_3m > 0),
                -0.8 + 2.2 * expiring,
            ],
            axis=1,
        )
        gumbel = -np.log(-np.log(rng.random((self.n, len(KINDS)))))
        kind = (score + gumbel).argmax(axis=1)
        rows = np.flatnonzero(act)
        self.lift[rows] = delta[rows, kind[rows]]
        self.lift_left[rows] = WINDOWS.churn_months
        self.taken.append((t, rows, kind[rows]))
        return delta, self.lift.copy()

    def bill(self, rows: np.ndarray, revenue: np.ndarray) -> None:
        """The month's bill lines (account position, revenue)."""
        self.bills = np.roll(self.bills, 1, axis=0)
        self.bills[0] = np.bincount(rows, weights=revenue, minlength=self.n)

    def reported(self, reports: pa.Table) -> np.ndarray:
        """Which accounts the month's competitor reports name in an urgent one (争抢)."""
        out = np.zeros(self.n, bool)
        urgent = reports.filter(pc.equal(reports.column("kind"), "争抢")).column("account_id").to_pylist()
        out[[self.position[a] for a in urgent]] = True
        return out

    def truth_table(
        self, pre: np.ndarray, logit: np.ndarray, delta: np.ndarray, account_ids: pa.Array, month_start
    ) -> pa.Table:
        """The month's rows of truth_retention_effects: for each account open and not churning,
        each kind's true effect — the fall of the churn-window probability from the hazard
        without any action (`logit`) to the hazard with that kind's reduction — and which kind
        was taken (the last `step`)."""
        rows = np.flatnonzero(pre)
        effect = window_probability(logit[rows, None]) - window_probability(logit[rows, None] - delta[rows])
        taken = np.zeros((rows.size, len(KINDS)), bool)
        _, month_rows, month_kinds = self.taken[-1]
        taken[np.searchsorted(rows, month_rows), month_kinds] = True
        k = len(KINDS)
        return pa.table(
            {
                "account_id": account_ids.take(pa.array(np.repeat(rows, k))),
                "billing_month": pa.array(np.full(rows.size * k, month_start)),
                "action_kind": pa.array(np.array(KINDS)).take(pa.array(np.tile(np.arange(k), rows.size))),
                "effect": effect.ravel().astype(np.float32),
                "is_taken": taken.ravel(),
            }
        )

    def actions_table(
        self,
        churn_month: np.ndarray,
        churn_kind: np.ndarray,
        month_starts: np.ndarray,
        account_ids: np.ndarray,
        manager_ids: np.ndarray,
    ) -> pa.Table:
        """Every action taken, with its outcome: done (已完成) once its window has passed — retained,
        partly retained (a partial churn) or lost — else still in progress (进行中)."""
        rng = self.rng
        months = month_starts.size
        out = {k: [] for k in ("seq", "account_id", "owner_id", "action", "action_kind", "status", "outcome")}
        created, completed = [], []
        seq = 0
        for t, rows, kinds in self.taken:
            if rows.size == 0:
                continue
            start = month_starts[t].astype("datetime64[s]")
            days = int(
                ((month_starts[t].astype("datetime64[M]") + 1).astype("datetime64[D]") - month_starts[t]).astype(int)
            )
            at = start + (
                rng.integers(0, days, rows.size) * 86400 + rng.integers(9 * 3600, 18 * 3600, rows.size)
            ).astype("timedelta64[s]")
            window_end = t + WINDOWS.churn_months
            lost = (churn_month[rows] > t) & (churn_month[rows] <= window_end)
            state = np.where(lost, churn_kind[rows], 0)
            done = window_end < months
            names = np.array(KINDS)[kinds]
            pick = rng.integers(0, 3, rows.size)
            out["seq"].append(np.arange(seq + 1, seq + 1 + rows.size))
            seq += rows.size
            out["account_id"].append(account_ids[rows])
            out["owner_id"].append(manager_ids[rows])
            out["action"].append(np.array([ACTION_TEXT[k][j] for k, j in zip(names, pick, strict=True)], dtype=object))
            out["action_kind"].append(names.astype(object))
            out["status"].append(np.full(rows.size, "已完成" if done else "进行中", dtype=object))
            out["outcome"].append(np.array([OUTCOME_TEXT[s] if done else None for s in state], dtype=object))
            created.append(at)
            if done:
                close = (month_starts[window_end].astype("datetime64[M]") + 1).astype("datetime64[s]") - np.timedelta64(
                    1, "D"
                )
                completed.append(np.full(rows.size, close))
            else:
                completed.append(np.full(rows.size, np.datetime64("NaT"), dtype="datetime64[s]"))
        if not created:
            return pa.table({})
        return pa.table(
            {
                "seq": np.concatenate(out["seq"]),
                "account_id": np.concatenate(out["account_id"]),
                "owner_id": np.concatenate(out["owner_id"]),
                "action": np.concatenate(out["action"]),
                "action_kind": np.concatenate(out["action_kind"]),
                "status": np.concatenate(out["status"]),
                "outcome": pa.array(np.concatenate(out["outcome"]), pa.string()),
                "created_at": np.concatenate(created),
                "completed_at": pa.array(np.concatenate(completed), pa.timestamp("s")),
            }
        )
