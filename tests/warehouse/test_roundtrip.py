"""Demo → CSV with Chinese headers in GBK → import into a fresh warehouse → identical tables."""

from __future__ import annotations

from analytics.warehouse import contract, db
from analytics.warehouse.importer import export_table, import_files


def _content(con, table: str):
    """Rows as a multiset fingerprint: count and the sum of row hashes (order-free)."""
    return con.execute(f"select count(*), sum(hash(columns(*))) from {table}").fetchone()


def test_round_trip_through_gbk_csv_with_chinese_headers(demo_con, tmp_path):
    files = []
    for table in contract.IMPORTABLE_TABLES:
        path = tmp_path / f"{table}.csv"
        export_table(demo_con, table, path, chinese_headers=True, encoding="gbk")
        header = path.read_bytes().split(b"\n", 1)[0].decode("gbk")
        assert contract.CONTRACTS[table].headers[next(iter(contract.CONTRACTS[table].headers))][0] in header
        files.append(path)

    with db.connect(tmp_path / "fresh.duckdb") as fresh:
        db.create_schema(fresh)
        counts = import_files(fresh, files)
        for table in contract.IMPORTABLE_TABLES:
            assert counts[table] == _content(demo_con, table)[0], table
            assert _content(fresh, table) == _content(demo_con, table), table
