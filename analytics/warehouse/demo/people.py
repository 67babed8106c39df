"""Who is in the demo: managers, accounts with their static traits, and key people."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.warehouse.demo import catalogue as cat

CLASS_LABELS = np.array(["A", "B", "C", "D"])
ROLES = np.array(["联系人", "决策人", "部门管理者", "员工", "关联单位"])
DEPARTMENTS = np.array(["办公室", "综合管理部", "信息中心", "财务部", "行政部", "采购部", "总经办", "后勤部"])
TITLES = np.array(["主任", "经理", "副总经理", "总经理", "科长", "专员", "处长", "校长"])
CARRIERS = np.array(["中国移动", "中国电信", "中国联通", "中国广电", "其他"])


@dataclass
class Portfolio:
    """Static traits, one entry per account (arrays of length n) and per manager."""

    manager_ids: np.ndarray
    manager_district: np.ndarray  # district position per manager
    account_ids: np.ndarray
    manager_of: np.ndarray  # manager position per account
    industry: np.ndarray  # industry position per account
    employees: np.ndarray
    value_class: np.ndarray  # 0..3 for A..D
    is_key: np.ndarray
    open_month: np.ndarray  # month index billing starts (<= 0: before the window; >= months: never)
    open_day_offset: np.ndarray  # days from the 1st of the opening month
    years_before: np.ndarray  # for accounts opened before the window: how long before
    agreement_months: np.ndarray  # 0 when no agreement
    loyalty: np.ndarray  # latent
    latent_churn: np.ndarray  # latent
    need: np.ndarray  # latent, (n, 4)
    diligence: np.ndarray  # per manager: how well they follow the rules


def _split_counts(rng: np.random.Generator, total: int) -> np.ndarray:
    """Accounts per manager: 50–80 each where the total allows it."""
    n_mgr = max(1, round(total / 65))
    counts = np.full(n_mgr, total // n_mgr)
    counts[: total - counts.sum()] += 1
    if total >= 50 * n_mgr:
        lo, hi = 50, 80
        for _ in range(4 * n_mgr):  # random transfers keep the sum and stay within bounds
            a, b = rng.integers(0, n_mgr, 2)
            k = int(rng.integers(0, 12))
            if counts[a] - k >= lo and counts[b] + k <= hi:
                counts[a] -= k
                counts[b] += k
    return counts


def make_portfolio(rng: np.random.Generator, n: int, months: int, catalogue: cat.Catalogue) -> Portfolio:
    counts = _split_counts(rng, n)
    n_mgr = counts.size
    w = cat.DISTRICT_WEIGHTS / cat.DISTRICT_WEIGHTS.sum()
    manager_district = np.sort(rng.choice(len(cat.DISTRICTS), n_mgr, p=w))
    if n_mgr >= len(cat.DISTRICTS):  # every district has at least one manager
        manager_district[: len(cat.DISTRICTS)] = np.arange(len(cat.DISTRICTS))
        manager_district = np.sort(manager_district)
    manager_of = np.repeat(np.arange(n_mgr), counts)
    rng.shuffle(manager_of)

    ind = catalogue.industries
    industry = rng.choice(len(ind), n, p=ind["share"].to_numpy())
    median = ind["employees_median"].to_numpy()[industry]
    employees = np.maximum(3, np.round(median * rng.lognormal(0.0, 1.0, n))).astype(np.int64)
    # Value potential: size plus how much the industry spends; class by rank.
    potential = np.log(employees) + 0.6 * rng.normal(size=n)
    rank = np.argsort(np.argsort(-potential)) / n
    value_class = np.searchsorted(np.array([0.10, 0.30, 0.85]), rank, side="right")
    is_key = ((value_class == 0) & (rng.random(n) < 0.55)) | ((value_class == 1) & (rng.random(n) < 0.04))

    # Most accounts predate the window; some open during it (the portfolio grows while others
    # churn); 2% are prospects (潜在) that never open.
    u = rng.random(n)
    open_month = np.where(u < 0.80, 0, rng.integers(1, max(2, months), n))
    open_month = np.where(u > 0.98, months, open_month)
    years_before = np.where(open_month == 0, rng.uniform(0.1, 15.0, n), 0.0)
    open_day_offset = rng.integers(0, 28, n)
    agreement_months = rng.choice(np.array([12, 24, 36]), n, p=[0.4, 0.35, 0.25])
    no_agreement = rng.random(n) < np.array([0.05, 0.15, 0.3, 0.6])[value_class]
    agreement_months = np.where(no_agreement, 0, agreement_months)

    return Portfolio(
        manager_ids=np.array([f"M{j + 1:05d}" for j in range(n_mgr)]),
        manager_district=manager_district,
        account_ids=np.array([f"31{i + 1:08d}" for i in range(n)]),
        manager_of=manager_of,
        industry=industry,
        employees=employees,
        value_class=value_class,
        is_key=is_key,
        open_month=open_month,
        open_day_offset=open_day_offset,
        years_before=years_before,
        agreement_months=agreement_months,
        loyalty=rng.normal(size=n),
        latent_churn=rng.normal(size=n),
        need=rng.normal(size=(n, 4)),
        diligence=np.clip(rng.normal(0.9, 0.12, n_mgr), 0.5, 1.1),
    )


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = np.array(cat.SURNAMES)[rng.integers(0, len(cat.SURNAMES), n)]
    g1 = np.array(cat.GIVEN_CHARS)[rng.integers(0, len(cat.GIVEN_CHARS), n)]
    g2 = np.array(cat.GIVEN_CHARS)[rng.integers(0, len(cat.GIVEN_CHARS), n)]
    two = rng.random(n) < 0.6
    return np.char.add(np.char.add(surname, g1), np.where(two, g2, ""))


def managers_frame(rng: np.random.Generator, p: Portfolio) -> pd.DataFrame:
    district = np.array(cat.DISTRICTS)[p.manager_district]
    team_no = rng.integers(1, 4, p.manager_ids.size)
    # Contacts from a generator of their own, so that the demo's other draws stay as they were.
    own = np.random.default_rng([p.manager_ids.size, 10086])
    phone = np.char.add("139", np.char.zfill(own.integers(0, 10**8, p.manager_ids.size).astype(str), 8))
    return pd.DataFrame(
        {
            "manager_id": p.manager_ids,
            "manager_name": person_names(rng, p.manager_ids.size),
            "district": district,
            "team": np.char.add(np.char.add(district.astype(str), "政企"), np.char.add(team_no.astype(str), "组")),
            "phone": phone,
            "email": np.char.add(np.char.lower(p.manager_ids.astype(str)), "@sh.10086.example"),
        }
    )


def account_names(rng: np.random.Generator, p: Portfolio, industries: pd.DataFrame) -> list[str]:
    words = cat.NAME_WORDS
    w1 = rng.integers(0, len(words), p.account_ids.size)
    w2 = rng.integers(0, len(words), p.account_ids.size)
    pick = rng.random(p.account_ids.size)
    district = np.array(cat.DISTRICTS)[p.manager_district[p.manager_of]]
    names = []
    for i, ind in enumerate(industries["industry"].to_numpy()[p.industry]):
        suffixes = cat.INDUSTRY_SUFFIX[ind]
        names.append(f"上海{district[i]}{words[w1[i]]}{words[w2[i]]}{suffixes[int(pick[i] * len(suffixes))]}")
    return names


def contacts_frame(rng: np.random.Generator, p: Portfolio) -> pd.DataFrame:
    """Two to six key people per account: always a contact and a decision-maker. A decision-maker
    on a competitor's network is more likely where loyalty is low (an observable hint of it)."""
    n = p.account_ids.size
    k = rng.integers(2, 7, n)
    acc = np.repeat(np.arange(n), k)
    pos = np.arange(acc.size) - np.repeat(np.cumsum(k) - k, k)
    role = np.where(pos == 0, 0, np.where(pos == 1, 1, rng.choice([2, 3, 4], acc.size, p=[0.5, 0.35, 0.15])))
    p_other = 1 / (1 + np.exp(-(-1.8 - 0.9 * p.loyalty[acc] + 0.5 * (role == 1))))
    carrier = np.where(rng.random(acc.size) < p_other, rng.choice([1, 2, 3, 4], acc.size, p=[0.5, 0.35, 0.1, 0.05]), 0)
    phone_prefix = np.array(
        [
            "139",
            "138",
            "137",
            "136",
            "135",
            "150",
            "151",
            "158",
            "182",
            "187",
            "188",
            "133",
            "153",
            "180",
            "189",
            "130",
            "131",
            "186",
            "192",
        ]
    )
    prefix_idx = np.where(carrier == 0, rng.integers(0, 11, acc.size), rng.integers(11, phone_prefix.size, acc.size))
    phone = np.char.add(phone_prefix[prefix_idx], np.char.zfill(rng.integers(0, 10**8, acc.size).astype(str), 8))
    return pd.DataFrame(
        {
            "contact_id": np.char.add("K", np.char.zfill((np.arange(acc.size) + 1).astype(str), 9)),
            "account_id": p.account_ids[acc],
            "contact_name": person_names(rng, acc.size),
            "phone": phone,
            "role": ROLES[role],
            "department": DEPARTMENTS[rng.integers(0, DEPARTMENTS.size, acc.size)],
            "title": TITLES[rng.integers(0, TITLES.size, acc.size)],
            "carrier": CARRIERS[carrier],
        }
    )
