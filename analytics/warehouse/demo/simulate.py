"""The monthly simulation: members, products, revenue, dissatisfaction, churn and adoption.

Vectorised over accounts; the only Python loop is over months. Each month's rows go to `write`
as soon as they exist, so memory stays bounded at province scale. See `mechanism.py` for the
model behind the numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from analytics.config import AREAS, WINDOWS
from analytics.warehouse.demo import catalogue as cat
from analytics.warehouse.demo import events
from analytics.warehouse.demo.mechanism import MECHANISM, Mechanism
from analytics.warehouse.demo.people import CLASS_LABELS, Portfolio
from analytics.warehouse.demo.retention import Retention

NEVER = 10**6
Write = Callable[[str, pa.Table], None]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Outcome:
    """What the simulation decided, for the accounts table and the profile updates."""

    churn_month: np.ndarray  # month churn started, NEVER if not
    churn_kind: np.ndarray  # 0 none, 1 full (离网), 2 partial, 3 silent (沉默)
    churn_day: np.ndarray  # day of the month the last product went (full churns)


def _spring_festival_months(month_starts: np.ndarray) -> np.ndarray:
    """Month index of each Spring Festival inside the window (the month with the holiday dip)."""
    festival = np.array(
        [
            "2019-02-05",
            "2020-01-25",
            "2021-02-12",
            "2022-02-01",
            "2023-01-22",
            "2024-02-10",
            "2025-01-29",
            "2026-02-17",
            "2027-02-06",
            "2028-01-26",
            "2029-02-13",
            "2030-02-03",
        ],
        dtype="datetime64[M]",
    )
    return np.flatnonzero(np.isin(month_starts.astype("datetime64[M]"), festival))


def _choose(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column per row with probability proportional to weights (rows of zeros give -1)."""
    gumbel = -np.log(-np.log(rng.random(weights.shape)))
    with np.errstate(divide="ignore"):
        score = np.log(weights) + gumbel
    pick = score.argmax(axis=1)
    return np.where(weights.max(axis=1) > 0, pick, -1)


def simulate(
    rng: np.random.Generator,
    p: Portfolio,
    catalogue: cat.Catalogue,
    month_starts: np.ndarray,
    write: Write,
    progress: Callable[[int, int], None] | None = None,
    mech: Mechanism = MECHANISM,
    action_rng: np.random.Generator | None = None,
) -> Outcome:
    """`action_rng` draws the retention actions (`retention.py`): a generator of its own, so that
    adding them left every other draw as it was."""
    n, months = p.account_ids.size, month_starts.size
    prods = catalogue.products
    n_prod = len(prods)
    area_of = catalogue.area_index
    in_area = area_of[None, :] == np.arange(4)[:, None]  # (4, P)
    basis = prods["quantity_basis"].to_numpy()
    member_based = np.isin(basis, ["members"])
    price = prods["list_price_yuan"].to_numpy(dtype=float)
    fit = catalogue.fit[p.industry]  # (n, P)
    account_ids = pa.array(p.account_ids)
    manager_ids = pa.array(p.manager_ids)
    product_ids = pa.array(prods["product_id"].to_numpy())
    cls = p.value_class
    band = cat.size_band(p.employees)
    peer_group = p.industry * 4 + band
    n_groups = int(peer_group.max()) + 1
    accounts_of_manager = [np.flatnonzero(p.manager_of == m) for m in range(p.manager_ids.size)]
    end_stamp = (month_starts[-1].astype("datetime64[M]") + 1).astype("datetime64[D]")

    # Per account-product terms: price level (V网 plans 10/20/40, line bandwidth), who pays,
    # the share of members on a member-billed product, and quantities of the others.
    price_factor = rng.uniform(0.75, 1.0, (n, n_prod))
    pid = list(prods["product_id"])
    price_factor[:, pid.index("BC01")] = rng.choice([1.0, 2.0, 4.0], n, p=[0.5, 0.35, 0.15])
    for line in ("BC03", "BC04", "BC05"):
        price_factor[:, pid.index(line)] *= rng.choice([1.0, 2.0, 5.0], n, p=[0.6, 0.3, 0.1])
    group_paid = rng.random((n, n_prod)) < prods["group_paid_share"].to_numpy()[None, :]
    member_share = rng.uniform(0.4, 1.0, (n, n_prod))
    scale = prods["quantity_scale"].to_numpy(dtype=float)

    def fresh_quantity(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        q = p.employees[rows] * scale[cols] * rng.uniform(0.4, 1.6, rows.size)
        return np.maximum(1.0, q)

    size_mult = np.clip(np.log(p.employees / 20.0) / 2.0 + 1.0, 0.5, 2.2)
    # A lasting need shows in what the account already holds: needs persist.
    need_mult = np.exp(mech.holding_need * p.need[:, area_of])
    owned = rng.random((n, n_prod)) < np.clip(fit * size_mult[:, None] * need_mult, 0, 0.95)
    newcomers = p.open_month > 0  # accounts opening in the window start small
    keep = rng.random((n, n_prod)) < 0.35
    owned[newcomers] &= keep[newcomers]
    owned[~owned.any(axis=1), pid.index("BC01")] = True  # everyone starts with something
    rows, cols = np.nonzero(owned)
    quantity = np.zeros((n, n_prod))
    quantity[rows, cols] = fresh_quantity(rows, cols)
    members = p.employees * rng.uniform(0.5, 0.95, n)

    risk = mech.risk_loyalty * p.loyalty + rng.normal(0, 0.4, n)
    poach_prev = np.zeros(n, bool)
    complaints_hist = np.zeros((3, n))
    erosion_hist = np.zeros((3, n))
    voiced_at = np.full((n, 4), -NEVER)
    hazard = np.zeros(n)
    propensity = np.zeros((n, 4))
    churn_month = np.full(n, NEVER)
    churn_kind = np.zeros(n, np.int8)
    residual = np.ones(n)
    abrupt = np.zeros(n, bool)
    churn_day = np.zeros(n, np.int64)
    open_index = np.where(p.open_month == 0, -np.round(p.years_before * 12).astype(int), p.open_month)
    festivals = _spring_festival_months(month_starts)
    is_message = basis == "messages"
    is_terminal = basis == "terminals"
    visit_rate = np.array([mech.visit_rate[c] for c in CLASS_LABELS])[cls] * p.diligence[p.manager_of]
    churn_class = np.array([mech.churn_class[c] for c in CLASS_LABELS])[cls]
    seq = {"interactions": 0, "complaints": 0, "competitor_reports": 0}
    rng_a = action_rng or np.random.default_rng(0)
    retention = Retention(mech, rng_a, n, cls, p.is_key, p.manager_of, p.diligence, p.account_ids)

    for t in range(months):
        opened = p.open_month <= t
        month_start = month_starts[t]
        days = int(((month_start.astype("datetime64[M]") + 1).astype("datetime64[D]") - month_start).astype(int))

        # Churn and adoption happen with the probabilities set at the end of last month.
        was_live = (p.open_month < t) & (churn_month == NEVER)
        start = was_live & (rng.random(n) < hazard)
        churn_month[start] = t
        partial = rng.random(n) < mech.partial_share
        silent = rng.random(n) < mech.silent_share
        churn_kind[start] = np.where(partial[start], np.where(silent[start], 3, 2), 1)
        # A partial churn keeps only the account's smallest product, at a fraction of its volume;
        # where even that would be above 15% of the bill (usage noise could lift it past the
        # 30% of SPEC §2's definition), the account falls silent instead.
        stay = np.flatnonzero(start & partial)
        if stay.size:
            value = np.where(owned[stay], quantity[stay] * price * price_factor[stay], np.inf)
            value = np.where(
                member_based[None, :] & owned[stay], members[stay, None] * member_share[stay] * price, value
            )
            smallest = value.argmin(axis=1)
            total = np.where(owned[stay], value, 0.0).sum(axis=1)
            owned[stay] = False
            owned[stay, smallest] = True
            residual[stay] = rng.uniform(0.05, 0.25, stay.size)
            unit = price[smallest] * price_factor[stay, smallest]
            too_big = np.maximum(value[np.arange(stay.size), smallest] * residual[stay], unit) > 0.15 * total
            churn_kind[stay[too_big]] = 3
        residual[start & (churn_kind == 3)] = 0.0
        abrupt[start] = erosion_hist.mean(axis=0)[start] < 0.15
        churn_day[start] = rng.integers(1, days, n)[start]

        adopt = (was_live & ~start)[:, None] & (rng.random((n, 4)) < propensity)
        adopted = np.zeros((n, 4), bool)
        for a in range(4):
            who = np.flatnonzero(adopt[:, a])
            if who.size == 0:
                continue
            w = fit[who] * (~owned[who]) * in_area[a][None, :]
            pick = _choose(rng, w)
            ok = pick >= 0
            who, pick = who[ok], pick[ok]
            owned[who, pick] = True
            quantity[who, pick] = fresh_quantity(who, pick) * rng.uniform(0.3, 0.8, who.size)
            adopted[who, a] = True

        # This month's events and the dissatisfaction they feed.
        pre = opened & (churn_month > t)  # open, churn not started
        live = opened & ((churn_month > t) | (churn_kind >= 2))  # still billing
        term = np.maximum(p.agreement_months, 1)
        expiry_index = open_index + term * np.ceil((t - open_index) / term).astype(int)
        expiring = (p.agreement_months > 0) & (expiry_index - t <= 3)
        poached = pre & (
            rng.random(n) < sigmoid(mech.poach_intercept + mech.poach_risk * risk + mech.poach_expiring * expiring)
        )
        lam = mech.complaint_rate * np.exp(mech.complaint_risk * np.clip(risk, 0, None)) * (1 + p.employees / 500)
        complaint_count = np.where(live, rng.poisson(np.minimum(lam, 5.0)), 0)
        risk = (
            mech.risk_persistence * risk
            + (1 - mech.risk_persistence) * mech.risk_loyalty * p.loyalty
            + mech.risk_noise * rng.normal(size=n)
            + mech.risk_poach_shock * poached
            + mech.risk_complaint_shock * complaint_count
        )
        erosion = np.where(pre, sigmoid(4.0 * (risk - mech.erosion_threshold)), 0.0)
        erosion_hist = np.roll(erosion_hist, 1, axis=0)
        erosion_hist[0] = erosion
        complaints_hist = np.roll(complaints_hist, 1, axis=0)
        complaints_hist[0] = complaint_count

        # Members and quantities move; erosion cuts them and cancels products.
        hiring = 1.8 if (t - 1) in festivals else (0.5 if t in festivals else 1.0)
        joined = rng.poisson(members * 0.009 * hiring * (1 - 0.6 * erosion))
        # Members drift away as dissatisfaction grows, well before products are cut.
        unrest = np.where(pre, sigmoid(3.0 * (risk - 0.6)), 0.0)
        left_group = rng.binomial(members.astype(np.int64), np.clip(0.004 + 0.03 * unrest + 0.04 * erosion, 0, 1))
        left_network = rng.binomial(members.astype(np.int64), np.clip(0.002 + 0.02 * erosion + 0.01 * poached, 0, 1))
        members = np.where(live, np.maximum(1.0, members + joined - left_group - left_network), members)
        quantity *= 1.0 - (erosion * rng.uniform(0.0, 0.12, n))[:, None]
        cancel = pre & (rng.random(n) < 0.06 * erosion) & (owned.sum(axis=1) > 1)
        pick = _choose(rng, owned[cancel].astype(float))
        owned[np.flatnonzero(cancel)[pick >= 0], pick[pick >= 0]] = False

        # The month's bill.
        qty = np.where(member_based[None, :], members[:, None] * member_share, quantity)
        qty = qty * residual[:, None]
        season = np.ones(n_prod)
        if t in festivals:
            season = np.where(is_message, 0.6, np.where(is_terminal, 0.9, 0.98))
        elif month_starts[t].astype("datetime64[M]").astype(int) % 12 == 11:
            season = np.where(is_message, 1.3, 1.0)
        noise = np.exp(rng.normal(0, np.where(is_message, 0.2, 0.03)[None, :], (n, n_prod)))
        # A product held is billed for at least one unit until it is cancelled.
        qty_units = np.maximum(1.0, np.round(qty * np.where(is_message, noise, 1.0) * season))
        bill = live[:, None] & owned
        bill_rows, bill_cols = np.nonzero(bill)
        units = qty_units[bill_rows, bill_cols]
        revenue = (
            units
            * price[bill_cols]
            * price_factor[bill_rows, bill_cols]
            * np.where(is_message[bill_cols], 1.0, noise[bill_rows, bill_cols])
        )
        silent_now = churn_kind[bill_rows] == 3
        units = np.where(silent_now, 0, units)
        revenue = np.where(silent_now, 0.0, np.round(revenue, 2))
        retention.bill(bill_rows, revenue)
        month_col = pa.array(np.full(bill_rows.size, month_start))
        write(
            "billing_monthly",
            pa.table(
                {
                    "account_id": account_ids.take(pa.array(bill_rows)),
                    "billing_month": month_col,
                    "product_id": product_ids.take(pa.array(bill_cols)),
                    "revenue_yuan": revenue,
                    "quantity": units.astype(np.int64),
                    "is_group_paid": group_paid[bill_rows, bill_cols],
                }
            ),
        )
        mem_rows = np.flatnonzero(live)
        write(
            "members_monthly",
            pa.table(
                {
                    "account_id": account_ids.take(pa.array(mem_rows)),
                    "billing_month": pa.array(np.full(mem_rows.size, month_start)),
                    "member_count": np.where(churn_kind[mem_rows] == 1, 0, members[mem_rows]).astype(np.int64),
                    "joined_count": joined[mem_rows],
                    "left_group_count": left_group[mem_rows],
                    "left_network_count": left_network[mem_rows],
                }
            ),
        )

        # Interviews: who is visited, what they voice.
        visited = np.flatnonzero(live & (rng.random(n) < visit_rate))
        tags = rng.random((visited.size, 4)) < sigmoid(mech.voice_intercept + mech.voice_need * p.need[visited])
        tags &= pre[visited][:, None] | (rng.random((visited.size, 1)) < 0.3)
        voiced_at[visited] = np.where(tags, t, voiced_at[visited])
        news = (poached | poach_prev)[visited] & (rng.random(visited.size) < 0.6)
        table = events.interviews(rng, visited, tags, news, account_ids, manager_ids, p.manager_of, month_start, days)
        write("interactions", _with_seq(table, seq, "interactions"))
        table = events.complaints(rng, complaint_count, risk, account_ids, month_start, days, end_stamp)
        write("complaints", _with_seq(table, seq, "complaints"))
        table = events.competitor_reports(
            rng,
            poached,
            mech.poach_reported_share,
            p.manager_of,
            p.diligence,
            accounts_of_manager,
            account_ids,
            manager_ids,
            month_start,
            days,
        )
        write("competitor_reports", _with_seq(table, seq, "competitor_reports"))
        # Retention actions on what the managers see (complaints, reported poaching, falling
        # revenue, an agreement running out): the logit reductions each kind would bring now,
        # and the one in force for the next hazard.
        n_products = owned.sum(axis=1)
        delta, lift = retention.step(t, pre, complaints_hist.sum(axis=0), table, expiring, n_products)

        # Probabilities for next month, and the truth rows that record them.
        held = owned[:, None, :] & in_area[None, :, :]  # (n, 4, P)
        logit = (
            mech.churn_intercept
            + mech.churn_risk * risk
            + mech.churn_expiring * expiring
            + mech.churn_poached * (poached | poach_prev)
            + mech.churn_complaints * complaints_hist.sum(axis=0)
            + mech.churn_products * (n_products - 3)
            + churn_class
            + mech.churn_key * p.is_key
            + mech.churn_latent * p.latent_churn
        )
        hazard = np.where(pre, sigmoid(logit - lift), 0.0)
        write("truth_retention_effects", retention.truth_table(pre, logit, delta, account_ids, month_start))
        truth = np.flatnonzero(opened & (churn_month >= t))
        write(
            "truth_churn",
            pa.table(
                {
                    "account_id": account_ids.take(pa.array(truth)),
                    "billing_month": pa.array(np.full(truth.size, month_start)),
                    "hazard": hazard[truth].astype(np.float32),
                    "window_probability": (1 - (1 - hazard[truth]) ** WINDOWS.churn_months).astype(np.float32),
                    "is_churn_start": churn_month[truth] == t,
                    "is_abrupt": (churn_month[truth] == t) & abrupt[truth],
                }
            ),
        )
        whitespace = (fit[:, None, :] * ~held * in_area[None, :, :]).max(axis=2)  # (n, 4)
        has_area = held.any(axis=2)
        counts = np.bincount(peer_group[pre], minlength=n_groups).astype(float)
        peer = (
            np.stack(
                [np.bincount(peer_group[pre], weights=has_area[pre, a], minlength=n_groups) for a in range(4)], axis=1
            )
            / np.maximum(counts, 1.0)[:, None]
        )
        logit_a = (
            np.array(mech.adopt_intercept)[None, :]
            + mech.adopt_need * p.need
            + mech.adopt_whitespace * whitespace
            + mech.adopt_peer * peer[peer_group]
            + mech.adopt_voiced * (voiced_at >= t - 2)
            + mech.adopt_size * np.log(p.employees / 50.0)[:, None]
            + mech.adopt_risk_drag * np.clip(risk, 0, None)[:, None]
            + mech.adopt_key * p.is_key[:, None]
        )
        propensity = np.where(pre[:, None] & (whitespace > 0), sigmoid(logit_a), 0.0)
        rows_a = np.flatnonzero(pre)
        k = rows_a.size
        write(
            "truth_adoption",
            pa.table(
                {
                    "account_id": account_ids.take(pa.array(np.repeat(rows_a, 4))),
                    "billing_month": pa.array(np.full(4 * k, month_start)),
                    "area": np.tile(np.array(AREAS), k),
                    "monthly_probability": propensity[rows_a].ravel().astype(np.float32),
                    "window_probability": (1 - (1 - propensity[rows_a].ravel()) ** WINDOWS.adoption_months).astype(
                        np.float32
                    ),
                    "is_adopted": adopted[rows_a].ravel(),
                }
            ),
        )
        poach_prev = poached
        if progress:
            progress(t + 1, months)

    write(
        "retention_actions",
        retention.actions_table(churn_month, churn_kind, month_starts, p.account_ids, p.manager_ids[p.manager_of]),
    )
    return Outcome(churn_month=churn_month, churn_kind=churn_kind, churn_day=churn_day)


def _with_seq(table: pa.Table, seq: dict[str, int], name: str) -> pa.Table:
    """Number the month's event rows after those already written (the writer formats the ids)."""
    start = seq[name]
    seq[name] += table.num_rows
    return table.append_column("seq", pa.array(np.arange(start + 1, start + 1 + table.num_rows)))
