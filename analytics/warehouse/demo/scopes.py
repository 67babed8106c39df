"""Registered business scopes (经营范围) for the demo's accounts, tied to their latent needs.

Each account's scope is a few items of the phrase bank `data/scope_phrases.csv` (industry,
phrase, area, rate, licensed): the items of its own industry and the generic ones (industry
`*`). An item that implies no area (the industry's core business, or boilerplate such as
技术服务、技术开发…) is drawn with its `rate`; an item that implies an area is drawn with
probability sigmoid(logit(rate) + scope_need · need[area]) — an account with a latent need of the
area more often registers the business that needs it. See `mechanism.py`.

Written in either of the two ways Chinese licences read: items joined by '；' (older licences),
or 一般项目：…；许可项目：… with the closing remark of post-2021 licences. Some accounts have none
recorded (public bodies hold no business licence). Drawn from a generator of its own (seeded by
the demo's seed), so the demo's other tables stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.config import AREAS, DEMO_DATA_DIR
from analytics.warehouse.demo.mechanism import MECHANISM, Mechanism

CLOSING = "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）"
# Industries whose units are mostly public bodies, without a business licence: their share of
# accounts with no scope recorded.
NO_LICENCE = {"公共管理社会保障和社会组织": 0.5, "教育": 0.25, "卫生和社会工作": 0.2}


@dataclass(frozen=True)
class PhraseBank:
    phrase: np.ndarray  # (k,) item text
    area: np.ndarray  # (k,) area position 0..3, -1 for none
    rate: np.ndarray  # (k,) probability at need 0
    licensed: np.ndarray  # (k,) bool: a 许可项目
    of_industry: list[np.ndarray]  # per industry position: the bank rows it draws from, in order


def load_bank(industries: pd.Series) -> PhraseBank:
    rows = pd.read_csv(DEMO_DATA_DIR / "scope_phrases.csv")
    area = rows["area"].map({a: i for i, a in enumerate(AREAS)}).fillna(-1).astype(int).to_numpy()
    industry = rows["industry"].to_numpy()
    of_industry = [np.flatnonzero((industry == name) | (industry == "*")) for name in industries]
    return PhraseBank(
        phrase=rows["phrase"].to_numpy(dtype=object),
        area=area,
        rate=rows["rate"].to_numpy(dtype=float),
        licensed=rows["licensed"].to_numpy().astype(bool),
        of_industry=of_industry,
    )


def business_scopes(
    rng: np.random.Generator,
    industry: np.ndarray,
    need: np.ndarray,
    industries: pd.Series,
    mech: Mechanism = MECHANISM,
) -> np.ndarray:
    """One scope text per account (None where none is recorded): industry positions, latent
    needs (n, 4) and the industry names in position order."""
    bank = load_bank(industries)
    n = industry.size
    out = np.full(n, None, dtype=object)
    new_style = rng.random(n) < mech.scope_new_style
    missing_rate = industries.map(NO_LICENCE).fillna(mech.scope_missing).to_numpy()[industry]
    missing = rng.random(n) < missing_rate
    for i in range(len(industries)):
        who = np.flatnonzero(industry == i)
        cols = bank.of_industry[i]
        if who.size == 0 or cols.size == 0:
            continue
        logit = np.log(bank.rate[cols] / (1 - bank.rate[cols]))[None, :]
        area = bank.area[cols]
        lift = np.where(area[None, :] >= 0, mech.scope_need * need[who][:, np.maximum(area, 0)], 0.0)
        drawn = rng.random((who.size, cols.size)) < 1 / (1 + np.exp(-(logit + lift)))
        core = np.flatnonzero(area < 0)[0]  # everyone registers the industry's first core business
        drawn[:, core] = True
        phrases, licensed = bank.phrase[cols], bank.licensed[cols]
        for row, account in enumerate(who):
            if missing[account]:
                continue
            pick = np.flatnonzero(drawn[row])
            if new_style[account]:
                general = "；".join(phrases[pick[~licensed[pick]]])
                permit = "；".join(phrases[pick[licensed[pick]]])
                text = f"一般项目：{general}。" if general else ""
                text += f"许可项目：{permit}。" if permit else ""
                out[account] = text + CLOSING
            else:
                out[account] = "；".join(phrases[pick]) + "。"
    return out
