"""The measured effect of each retention action kind from the department's own records (客户挽留,
issue 16 item 3): the doubly robust average effect on the accounts the kind was taken for, with its
95% interval and the number of treated account-months, as the last `needsmine train` measured it
(report.json's `uplift.average_effects`, estimated with what was known at the test month).

It replaces the page's success rate where the data allows: a kind needs `MIN_TREATED` treated
rows with at least 3 churns among them, and the untreated rows churns and non-churns (the
estimator's own rule); otherwise `Effects.reason` or the kind's `note` says why, and the page keeps
the success rate, labelled as what it is (outcomes recorded, not an effect)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.common import i18n

KINDS = ("price_offer", "visit", "solution_upgrade", "service_recovery", "renewal")  # the action_kind enum
MIN_TREATED = 30  # as analytics.models.uplift.estimator.MIN_TREATED (the page says it, the estimator applies it)
COLUMNS = (
    "action_kind",
    "effect_probability",
    "low_probability",
    "high_probability",
    "treated_rows",
    "treated_accounts",
    "note",
)


@dataclass(frozen=True)
class Effects:
    rows: pd.DataFrame  # COLUMNS, one row per kind (effect columns empty where not measured)
    reason: str | None  # why no kind is measured (None when at least one is)
    test_as_of: str | None  # the month up to which the outcomes were known ("2026-07")

    @property
    def measured(self) -> int:
        return int(self.rows["effect_probability"].notna().sum()) if len(self.rows) else 0


def measured_effects(report: dict | None, lang: str = i18n.DEFAULT_LANGUAGE) -> Effects:
    """The effects of the last training's report (`model_quality.read_report`; None: never
    trained), kinds by their names in `lang`."""
    uplift = (report or {}).get("uplift") if report else None
    empty = pd.DataFrame(columns=list(COLUMNS))
    if report is None:
        return Effects(empty, i18n.text("uplift.effects.not_trained", lang), None)
    if not uplift:
        return Effects(empty, i18n.text("uplift.effects.no_uplift", lang), None)
    status = uplift.get("status")
    if status != "ok":
        key = status if status in ("no_actions", "too_few_actions") else "no_uplift"
        return Effects(empty, i18n.text(f"uplift.effects.{key}", lang, n=MIN_TREATED), None)
    averages = uplift.get("average_effects") or {}
    treated = uplift.get("treated_rows") or {}
    rows = []
    for kind in KINDS:
        figures = averages.get(kind) or {}
        effect = figures.get("effect")
        n = figures.get("treated_rows", treated.get(kind, 0))
        rows.append(
            {
                "action_kind": i18n.label("action_kind", kind, lang),
                "effect_probability": effect,
                "low_probability": figures.get("low") if effect is not None else None,
                "high_probability": figures.get("high") if effect is not None else None,
                "treated_rows": int(n or 0),
                "treated_accounts": figures.get("treated_accounts"),
                "note": _note(effect, figures, lang),
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("effect_probability", "low_probability", "high_probability"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["treated_accounts"] = pd.to_numeric(frame["treated_accounts"], errors="coerce").astype("Int64")
    reason = None
    if frame["effect_probability"].isna().all():
        reason = i18n.text("uplift.effects.too_few_actions", lang, n=MIN_TREATED)
    return Effects(frame, reason, uplift.get("test_as_of"))


def _note(effect: float | None, figures: dict, lang: str) -> str:
    if effect is None:
        return i18n.text("uplift.effects.kind_too_few", lang, n=MIN_TREATED)
    low, high = figures.get("low"), figures.get("high")
    if low is not None and low > 0:
        return i18n.text("uplift.effects.kind_works", lang)
    if high is not None and high < 0:
        return i18n.text("uplift.effects.kind_harms", lang)
    return i18n.text("uplift.effects.kind_unclear", lang)
