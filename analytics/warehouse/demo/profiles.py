"""Profile updates (基本资料 / 个性化资料) following the class cadences of SPEC §6, with lapses."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

# Months between updates by class A, B, C, D (key accounts follow A): SPEC §6 defaults.
BASIC_MONTHS = np.array([1, 1, 3, 3])
PERSONAL_MONTHS = np.array([2, 2, 4, 4])


def profile_updates(
    rng: np.random.Generator,
    kind: str,
    cadence_months: np.ndarray,
    start_day: np.ndarray,
    end_day: np.ndarray,
    lapse: np.ndarray,
) -> pa.Table:
    """Update times for every account between start_day and end_day (datetime64[D]).

    Gaps are mostly within the cadence; with probability `lapse` (per account) a gap runs past it,
    which is what the compliance pages must find.
    """
    n = cadence_months.size
    cadence_days = cadence_months * 30.0
    span = (end_day - start_day).astype(float)
    k = int(np.ceil((span / (0.55 * cadence_days)).max())) + 1 if n else 0
    gaps = cadence_days[:, None] * rng.uniform(0.55, 1.0, (n, k))
    late = rng.random((n, k)) < lapse[:, None]
    gaps = np.where(late, cadence_days[:, None] * rng.uniform(1.15, 2.5, (n, k)), gaps)
    gaps[:, 0] = cadence_days * rng.uniform(0.0, 1.0, n)
    offset = np.cumsum(gaps, axis=1)
    keep = offset < span[:, None]
    rows, cols = np.nonzero(keep)
    seconds = (offset[rows, cols] * 86400).astype(np.int64) + rng.integers(9 * 3600, 18 * 3600, rows.size)
    stamp = start_day[rows].astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return pa.table({"account_pos": rows, "kind": np.full(rows.size, kind), "updated_at": stamp})
