-- The rules of analytics/common/rules.toml that the stored layers count by, one row, written
-- with bound values before every build (analytics/common/rules.py, `write_build_rules`): a view
-- cannot take a parameter, so a step that needs a rule reads it from here, and a changed rules
-- file applies to what the warehouse stores from the next build on.
create or replace table build_rules as
select
    $urgent_kind::varchar as urgent_kind,
