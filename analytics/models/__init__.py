"""The models: churn risk, upsell per area, needs in interview notes, and bring-your-own tables.

Modules, in the order training runs: `labels` (what churn and adoption mean, as-of windows),
`features` (the feature mart read as of a month, never after it), `basis` and `calibrated` (the
family's parts: spline and one-hot bases, Platt-calibrated logistic regression), `family` (the
pipeline factory and each column's contribution), `metrics` (AUC, PR-AUC, lift, Brier,
calibration), `notes/` (the notes model), `training` (rolling-origin evaluation and the final
fit), `persistence` and `registry` (model files beside the warehouse, with their versions),
`scoring` (scores, reasons via `reasons`, recommendations), and `preparation` (the whole chain
— demo, build, train, score — as the dashboard runs it on first start). `train_table/` is the
same family on any wide table an analyst brings (`needsmine train-table`).
"""
