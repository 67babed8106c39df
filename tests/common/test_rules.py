"""The rules file (analytics/common/rules.toml, SPEC §6): the packaged defaults, another file named by the
environment, and bad files refused with file, key and reason."""

from __future__ import annotations

import os

import pytest
from rules_files import write_rules

from analytics.common import rules


def test_the_packaged_rules_are_the_spec_defaults(the_rules):
    assert the_rules.profile_months["basic"] == {"key": 1, "A": 1, "B": 1, "C": 3, "D": 3}
    assert the_rules.profile_months["personal"] == {"key": 2, "A": 2, "B": 2, "C": 4, "D": 4}
    assert the_rules.reports_per_manager_per_month == 1
    assert the_rules.urgent_kind == "争抢" and the_rules.urgent_deadline_working_days == 1
    assert 0 < the_rules.churn_probability_at_least < 1


def test_d_follows_c_unless_configured(tmp_path):
    path = write_rules(tmp_path, {"[profiles.basic]\n": "[profiles.basic]\nD = 6\n", "C = 3\n": "C = 2\n"})
    loaded = rules.load(path)
    assert loaded.profile_months["basic"]["C"] == 2 and loaded.profile_months["basic"]["D"] == 6
    assert loaded.profile_months["personal"]["D"] == loaded.profile_months["personal"]["C"] == 4


def test_the_environment_points_to_another_rules_file(tmp_path, monkeypatch):
    path = write_rules(tmp_path, {"per_manager_per_month = 1": "per_manager_per_month = 2"})
    monkeypatch.setenv(rules.RULES_ENV, str(path))
    assert rules.load().reports_per_manager_per_month == 2
    assert rules.load().path == path


@pytest.mark.parametrize(
    ("replace", "key", "reason"),
    [
        ({"C = 3\n": ""}, "profiles.basic.C", "missing"),
        ({"C = 3\n": 'C = "three"\n'}, "profiles.basic.C", "whole number"),
        ({"C = 3\n": "C = 0\n"}, "profiles.basic.C", "whole number"),
        ({"C = 3\n": "C = 3\nE = 1\n"}, "profiles.basic.E", "unknown key"),
        ({'urgent_kind = "争抢"': 'urgent_kind = "抢客"'}, "reports.urgent_kind", "must be one of"),
        ({'"电话", ': '"电报", '}, "visits.counted_channels", "unknown channel"),
        ({"D = { visits = 1, months = 6 }": "D = { visits = 1 }"}, "visits.quota.D.months", "missing"),
        (
            {"churn_probability_at_least = 0.1": "churn_probability_at_least = 1.5"},
            "retention.churn_probability_at_least",
            "from 0.0 to 1.0",
        ),
        (  # an older file's second at-risk test: refused, not silently ignored
            {"churn_probability_at_least = 0.1": "churn_probability_at_least = 0.1\ntop_revenue_at_risk_share = 0.01"},
            "retention.top_revenue_at_risk_share",
            "no longer used",
        ),
        (
            {"realised_auc_share_of_backtest = 0.9": "realised_auc_share_of_backtest = 1.5"},
            "monitoring.realised_auc_share_of_backtest",
            "from 0.0 to 1.0",
        ),
        ({"psi_moderate = 0.1": "psi_moderate = 0.3"}, "monitoring.psi_moderate", "below psi_shifted"),
    ],
)
def test_a_bad_rules_file_names_file_key_and_reason(tmp_path, replace, key, reason):
    path = write_rules(tmp_path, replace)
    with pytest.raises(rules.RulesError) as caught:
        rules.load(path)
    assert caught.value.key == key
    assert str(path) in str(caught.value) and key in str(caught.value) and reason in str(caught.value)


def test_a_file_that_is_not_toml_or_absent_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[profiles\nC = ", encoding="utf-8")
    with pytest.raises(rules.RulesError, match="not valid TOML"):
        rules.load(bad)
    with pytest.raises(rules.RulesError, match="cannot read"):
        rules.load(tmp_path / "absent.toml")


def test_a_changed_file_is_read_again(tmp_path):
    path = write_rules(tmp_path, {})
    assert rules.load(path).urgent_deadline_working_days == 1
    text = path.read_text(encoding="utf-8").replace(
        "urgent_deadline_working_days = 1", "urgent_deadline_working_days = 2"
    )
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(1, 10**18))  # a later modification time, however fast the test runs
    assert rules.load(path).urgent_deadline_working_days == 2


def test_at_risk_is_the_threshold_and_nothing_else(the_rules):
    threshold = rules.at_risk_probability(rules.DEFAULT_RULES)
    assert threshold == the_rules.churn_probability_at_least
    assert rules.is_at_risk(threshold, threshold) and rules.is_at_risk(0.9, threshold)
    assert not rules.is_at_risk(threshold - 1e-9, threshold)
    assert not rules.is_at_risk(None, threshold) and not rules.is_at_risk(float("nan"), threshold)


def test_the_monitoring_thresholds_are_read_and_default_when_left_out(the_rules, tmp_path):
    watch = the_rules.monitoring
    assert (watch.realised_auc_share_of_backtest, watch.psi_moderate, watch.psi_shifted) == (0.9, 0.1, 0.25)
    changed = rules.load(
        write_rules(tmp_path, {"realised_auc_share_of_backtest = 0.9": "realised_auc_share_of_backtest = 0.8"})
    )
    assert changed.monitoring.realised_auc_share_of_backtest == 0.8
    text = rules.DEFAULT_RULES.read_text(encoding="utf-8")
    section = text[text.index("[monitoring]") :]
    assert rules.load(write_rules(tmp_path, {section: ""})).monitoring == rules.Monitoring()
