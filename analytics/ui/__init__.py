"""The dashboard's Streamlit code — the only part of `analytics` that imports streamlit.

The frame (what app.py runs, in this order): `connection` (the warehouse path, one cached DuckDB
connection per server, preparing the warehouse with a progress bar), `language` (中文/English,
`t` and `label`), `signin` (the sign-in form, OIDC, the remembered-session cookie, the user's
reach), `routing` (the navigation from `analytics.access.pages`, the one access check and page
view record, the guard against Streamlit's legacy routing of pages/), `filters` (the sidebar's
filters and the `Filters` they give), `trail` (audit events of the signed-in user).
Shared by pages: `tables` (the one table and audited download helper), `forms` (the daily-work
forms), `text` (user-entered and imported text shown as text in elements that render Markdown,
and in charts). Per page, a module named as the page file (`account`, `portfolio`, `opportunities`,
`trends`, `model_quality`, `compliance`, `warehouse`): cached wrappers around `analytics.views`
(`st.cache_data` keyed on small arguments) and the page's charts.
"""
