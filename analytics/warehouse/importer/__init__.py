"""Import operator exports into the warehouse, and export warehouse tables as CSV.

`import_files(con, paths)` reads CSV (UTF-8 with or without BOM, GBK, GB18030), XLSX and Parquet
files with English or Chinese headers (`analytics.warehouse.contract`), checks every value against the
warehouse's own column types and CHECK constraints, keys and references, and then writes all
files in one transaction — or, if anything is wrong, writes nothing and raises `BadInputError`
naming file, line, column and reason. A problem's `row` counts data rows from the first under
the header; its `line` is the file line as an editor (or Excel) shows it, which differs when
quoted values hold line breaks or blank lines are skipped.

What is refused besides values of the wrong type (`analytics.warehouse.contract` holds the
limits): dates outside the data's span plus a margin, numbers above a column's ceiling, more
decimals than a column holds (never rounded), required texts blank after trimming, control
characters in texts, nested Parquet types, files with a header and no rows, and a month that
would lose more than `MAX_MONTH_SHRINK` of its rows unless `allow_shrink=True` confirms it.
Encoding and CSV-shape errors name the line (and byte offset) in the product's own words.

How rows are written:

- entity and event tables (managers, products, accounts, contacts, interactions, …) are
  upserted by key: a warehouse row whose key is imported is replaced, others stay;
- monthly tables (`billing_monthly`, `members_monthly`: `replace_by_month`) are replaced month
  by month: importing a month deletes every warehouse row of that month first, so importing the
  same months again replaces them rather than duplicating them (and a row of that month that
  the new files lack is gone: a month is always imported whole);
- references (e.g. `billing_monthly.account_id`) must name a row already in the warehouse or
  in the same import, so parents and children can be imported together.

Operator exports as they look are read as such: title rows above the header, a 合计/总计 row at
the end (dropped, and reported as dropped), merged header cells in XLSX, months as 202610,
2026年10月, 2026-10 or Excel serial day numbers, amounts with thousands separators or 元. Headers
mapped by hand (the import page) are kept per file shape (`mappings`) and used by every later
import of that shape. `check_files` reads and checks without writing, and says what an import
would change (the page shows it before applying).

Modules, in the order an import runs: `pipeline` (`import_files`), `read` (which table, header
mapping) with `sources` (CSV / XLSX / Parquet -> VARCHAR staging tables) and `encoding`,
`columns` (a table as the warehouse and the contract describe it), `convert` (staging -> typed
table with problem flags; the accepted spellings of values), `validate` (set-based checks),
`lines` (file lines of CSV records and why a record could not be read, only when reporting),
`problems` (`Problem`, `BadInputError`), `apply` (the transaction); `mappings` (headers mapped
by hand); and `export`.
"""

from analytics.warehouse.importer.export import export_table
from analytics.warehouse.importer.pipeline import Change, ImportPlan, check_files, import_files
from analytics.warehouse.importer.problems import BadInputError, Problem
from analytics.warehouse.importer.read import FileReport

__all__ = [
    "BadInputError",
    "Change",
    "FileReport",
    "ImportPlan",
    "Problem",
    "check_files",
    "export_table",
    "import_files",
]
