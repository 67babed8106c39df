"""`needsmine compliance` on the demo: the same figures as the compliance functions, and bad input."""

from __future__ import annotations

import datetime as dt
import json

from rules_files import write_rules

from analytics import cli
from analytics.views import compliance
from analytics.warehouse import db

AS_OF = dt.date(2026, 10, 31)


def test_cli_json_equals_the_compliance_functions_on_the_demo(scored_copy, capsys, the_rules):
    assert cli.main(["compliance", "--as-of", "2026-10-31", "--db", str(scored_copy), "--json", "--quiet"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {"profile_overdue", "reports", "visits_under_quota", "at_risk_without_action"} <= shown.keys()
    assert set(shown["profile_overdue"]) == {"basic", "personal"}
    assert {"managers_without_report", "late_urgent"} <= shown["reports"].keys()
    with db.connect(scored_copy) as con:
        status = compliance.profile_status(con, AS_OF, None, the_rules)
        managers = compliance.report_managers(con, AS_OF, None, the_rules)
        reports = compliance.month_reports(con, AS_OF, None, the_rules)
        visits = compliance.visit_counts(con, AS_OF, None, the_rules)
        at_risk = compliance.at_risk_accounts(con, AS_OF, None, the_rules)
        # An independent count of overdue basic profiles, straight from the raw tables.
        independent = con.execute(
            """
            with a as (
                select
                    account_id,
                    opened_on,
                    case when is_key_account or value_class in ('A', 'B') then 1 else 3 end as m,
                from accounts
                where status <> '潜在' and opened_on <= date '2026-10-31'
                    and (closed_on is null or closed_on > date '2026-10-31')
            ),
            u as (
                select account_id, max(updated_at)::date as last_on from profile_updates
                where kind = 'basic' and updated_at < timestamp '2026-11-01' group by all
            )
            select count(*) from a left join u using (account_id)
            where date '2026-10-31' > (coalesce(u.last_on, a.opened_on) + to_months(a.m))::date
            """
        ).fetchone()[0]
    assert (
        shown["profile_overdue"]["basic"]
        == int((status["is_overdue"] & (status["kind"] == "basic")).sum())
        == independent
    )
    assert shown["profile_overdue"]["personal"] == int((status["is_overdue"] & (status["kind"] == "personal")).sum())
    assert shown["reports"]["managers_without_report"] == int((managers["report_count"] < 1).sum())
    assert shown["reports"]["late_urgent"] == int((reports["is_urgent"] & reports["is_late"]).sum())
    assert shown["visits_under_quota"] == int(visits["is_under_quota"].sum())
    assert shown["at_risk_without_action"] == int((~at_risk["has_action"].astype(bool)).sum()) > 0
    assert shown["profile_overdue"]["basic"] > 0 and shown["visits_under_quota"] > 0  # the demo has lapses


def test_cli_text_output_and_bad_input(scored_copy, capsys, tmp_path):
    assert cli.main(["compliance", "--as-of", "2026-10", "--db", str(scored_copy), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "2026-10-31" in out and "basic profile overdue" in out
    assert cli.main(["compliance", "--as-of", "2026-02-30", "--db", str(scored_copy)]) == 2
    assert "not a date" in capsys.readouterr().err
    assert cli.main(["compliance", "--as-of", "2026-10-31", "--db", str(tmp_path / "none.duckdb")]) == 2
    bad = write_rules(tmp_path, {"C = 3\n": ""})
    assert cli.main(["compliance", "--as-of", "2026-10-31", "--db", str(scored_copy), "--rules", str(bad)]) == 2
    assert "profiles.basic.C" in capsys.readouterr().err
