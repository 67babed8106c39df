"""needsmine — 集团客户需求挖掘工作台.

The packages follow the flow of the data (CONVENTIONS), bottom to top; each imports only the
ones below it (`tests/test_layout.py` holds them to it):

- `config` — the one place that knows paths and settings;
- `common` — what every layer shares: month arithmetic, number formats, the sidebar's scope
  (`Filters`), the guideline's rules (`rules.toml`), Chinese working days, the text table (`i18n`);
- `warehouse` — the DuckDB file: data contract, importer and demo generator (→ raw tables), the
  SQL layers' build (staging → intermediate → marts) and the named queries that read them;
- `access` — who may see what: users and sign-in, remembered sessions, the audit trail,
  personal-data masking, and the one page registry (which role opens which page);
- `models` — features, labels, the model family, training, scoring, and the preparation of a
  warehouse on first start;
- `views` — the logic behind each page, without Streamlit (one module or package per page);
- `ui` and `cli` — the two ways in: the only Streamlit code, and the `needsmine` command.
"""

__version__ = "0.1.0"
