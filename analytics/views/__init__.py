"""The logic behind each page, without Streamlit: data in, DataFrames and small records out.

One module or package per page, named as the page file under `pages/`: `portfolio`, `account/`
(the account view, its tables, the proposal document and its charts), `opportunities`,
`trends`, `model_quality`, `compliance/` (the guideline's checks, also run by `needsmine
compliance`), `daily_work/` (the forms of the competitor-report, interview and retention pages:
checks, then writes in one transaction), `warehouse` (the data page's headline figures), and
`sidebar` (what the sidebar's filters choose from). Each function takes a connection or cursor
and the sidebar's `Filters`, runs named queries of `analytics.warehouse.queries`, and returns
data; `analytics.ui` caches and draws it.
"""
