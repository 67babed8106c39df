"""Effect estimates of the retention actions (客户挽留, issue 16 item 2).

`estimator.py` holds the learner (per account, the expected fall of the churn-window
probability each action kind brings) and the average effect of each kind on the accounts it was
taken for, with its interval; `evaluation.py` measures both by rolling origin against the demo's
truth and writes the per-account estimates (`uplift_scores`).
"""

from analytics.models.uplift.estimator import KINDS, UpliftModel, average_effects, fit_uplift
from analytics.models.uplift.evaluation import train_uplift

__all__ = ["KINDS", "UpliftModel", "average_effects", "fit_uplift", "train_uplift"]
