-- Headers of operator exports mapped by hand on the import page (数据导入), kept for next month's
-- exports of the same shape: `shape` is the MD5 of the file's normalised headers, sorted (the same
-- set of headers in any order is the same shape); `source_header` one header as normalised
-- (analytics.warehouse.importer.columns.normalise_header), `column_name` the contract column it
-- means in `table_name`. The importer (browser and `needsmine import`) uses them automatically.
create table if not exists import_mappings (
    shape varchar not null,
    table_name varchar not null,
    source_header varchar not null,
    column_name varchar not null,
    saved_by varchar not null,
    saved_at timestamp not null,
    primary key (shape, table_name, source_header)
);
