"""Bring your own features: the model family cross-validated and scored on any wide account table.

In the order `needsmine train-table` runs them: `read` (CSV/XLSX/Parquet, the target and id
columns, clear errors naming row and column), `values` (numbers and categories as the analyst
wrote them), `prepare` (which columns are numeric, categorical or unusable, and why), `train`
(5-fold cross-validation of the additive model and, for comparison, gradient boosting; the final
fit), `reasons` (each row's top contributions, importance), `report` (the text report).
"""
