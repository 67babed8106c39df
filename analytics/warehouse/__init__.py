"""The warehouse: one DuckDB file, how data gets into it, and how it is read.

Modules, in the order data flows through them: `contract` (the input tables of SPEC §3 and the
Chinese headers operator exports use), `db` (the one place that opens DuckDB; creates the
schema from `sql/schema/`), `importer/` (operator files → raw tables, validated, in one
transaction) or `demo/` (the synthetic branch with known truth → the same raw tables), `build`
(the SQL layers `sql/staging` → `sql/intermediate` → `sql/marts`, with `rolling` for the
trailing windows, then the data tests) with `layers` (the registry read from the SQL files
themselves: each file's header declares its materialisation and grain, its references give the
build order, and every intermediate and mart model gets a generated grain test), and `queries`
(the named queries of `sql/queries/` that pages run, values always bound).
"""
