"""What every layer shares; nothing here reads the warehouse.

`months` (month arithmetic: the one `add_months`), `formats` (numbers and dates as people read
them: 元, 万元, percent), `filters` (`Filters`: the sidebar's scope, passed to every page query),
`rules` with `rules.toml` (the guideline's rules: cadences, the report deadline, visit quotas, the
at-risk threshold), `workdays` (Chinese working days with the official shifts, 调休), `clock`
(today and now in Asia/Shanghai), and `i18n` (every user-facing text in Chinese and English, one
table of CSV files).
"""
