"""The demo's retention actions (demo/retention.py, mechanism.py) and their true effects."""

from __future__ import annotations

import duckdb
import numpy as np

from analytics.warehouse import db
from analytics.warehouse.demo.retention import KINDS


def test_actions_are_recorded_like_the_form_would(demo_con):
    rows = demo_con.execute(
        "select r.action_kind::varchar, r.owner_id = a.manager_id, r.status::varchar, r.outcome::varchar, "
        "r.created_at, r.completed_at from retention_actions r join accounts a using (account_id)"
    ).fetchall()
    assert len(rows) > 500
    assert {r[0] for r in rows} == set(KINDS)
    assert all(r[1] for r in rows)  # the account's manager owns it
    for _, _, status, outcome, created, completed in rows:
        assert (status == "已完成") == (outcome is not None) == (completed is not None)
        assert completed is None or completed >= created


def test_outcomes_are_what_happened(demo_con):
    # 挽留失败 / 部分挽留 exactly when churn started within the churn window after the action.
    pairs = demo_con.execute(
        """
        select r.outcome::varchar,
               exists (select 1 from truth_churn c where c.account_id = r.account_id and c.is_churn_start
                       and c.billing_month > date_trunc('month', r.created_at)
                       and c.billing_month <= date_trunc('month', r.created_at) + interval 3 month)
        from retention_actions r where r.outcome is not null
        """
    ).fetchall()
    assert pairs
    assert all((outcome != "挽留成功") == churned for outcome, churned in pairs)


def test_actions_go_to_riskier_accounts_so_naive_comparisons_are_confounded(demo_con):
    # The months an account was acted on: its true churn-window probability (with the action's
    # reduction already in it) is still far above that of the months it was not.
    treated, untreated = demo_con.execute(
        """
        with taken as (select distinct account_id, billing_month from truth_retention_effects where is_taken)
        select avg(c.window_probability) filter (where t.account_id is not null),
               avg(c.window_probability) filter (where t.account_id is null)
        from truth_churn c left join taken t using (account_id, billing_month)
        where not c.is_churn_start
        """
    ).fetchone()
    assert treated > 1.5 * untreated
    # Complaints drive both the choice of service recovery and churn.
    share_with, share_without = demo_con.execute(
        """
        with recent as (
            select e.account_id, e.billing_month, e.action_kind::varchar as kind, e.is_taken,
                   exists (select 1 from complaints k where k.account_id = e.account_id
                           and k.opened_at >= e.billing_month - interval 2 month
                           and k.opened_at < e.billing_month + interval 1 month) as complained
            from truth_retention_effects e where e.action_kind = 'service_recovery'
        )
        select avg(is_taken::int) filter (where complained), avg(is_taken::int) filter (where not complained)
        from recent
        """
    ).fetchone()
    assert share_with > 10 * share_without


def test_true_effects_depend_on_the_accounts_traits(demo_con):
    effects = demo_con.execute(
        """
        select e.action_kind::varchar as action_kind, a.is_key_account, a.value_class::varchar as value_class,
               e.effect,
               exists (select 1 from complaints k where k.account_id = e.account_id
                       and k.opened_at >= e.billing_month - interval 2 month
                       and k.opened_at < e.billing_month + interval 1 month) as complained
        from truth_retention_effects e join accounts a using (account_id)
        """
    ).df()
    recovery = effects[effects["action_kind"] == "service_recovery"]
    assert (recovery.loc[~recovery["complained"], "effect"] == 0).all()  # nothing to recover
    assert recovery.loc[recovery["complained"], "effect"].gt(0).mean() > 0.95
    visit = effects[effects["action_kind"] == "visit"]
    small = visit[~visit["is_key_account"] & visit["value_class"].isin(["C", "D"])]
    assert (small["effect"] == 0).all() and (visit.loc[visit["is_key_account"], "effect"] > 0).all()
    # Some kinds do nothing for some accounts, and kinds rank accounts differently.
    wide = effects.pivot_table(index=effects.index // len(KINDS), columns="action_kind", values="effect")
    assert all((effects.loc[effects["action_kind"] == k, "effect"] == 0).any() for k in KINDS)
    corr = np.corrcoef(wide.fillna(0).to_numpy().T)
    assert corr[np.triu_indices(len(KINDS), 1)].max() < 0.9


def test_effects_are_the_window_probability_with_and_without_the_kind(demo_con):
    # With no action in force, truth_churn's window probability is the one without action: no
    # kind can lower it by more than all of it.
    worst = demo_con.execute(
        """
        select max(e.effect - c.window_probability) from truth_retention_effects e
        join truth_churn c using (account_id, billing_month)
        where not exists (select 1 from retention_actions r where r.account_id = e.account_id
                          and date_trunc('month', r.created_at) between e.billing_month - interval 2 month
                                                                    and e.billing_month)
        """
    ).fetchone()[0]
    assert worst <= 1e-6
    # The month an action is taken, truth_churn holds the probability with it: adding back the
    # kind's effect gives the probability without, which bounds every kind's effect.
    rows = demo_con.execute(
        """
        with taken as (select account_id, billing_month, effect from truth_retention_effects where is_taken),
        best as (select account_id, billing_month, max(effect) as best from truth_retention_effects group by all)
        select c.window_probability, taken.effect, best.best from taken
        join best using (account_id, billing_month) join truth_churn c using (account_id, billing_month)
        """
    ).fetchall()
    assert rows and all(wp + effect >= best - 1e-5 for wp, effect, best in rows)
    assert sum(effect > 0 for _, effect, _ in rows) > 0.5 * len(rows)


def test_an_old_warehouse_gains_the_action_kind(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    types = (db.SCHEMA_DIR / "00_types.sql").read_text(encoding="utf-8").split("-- What a retention action")[0]
    con.execute(types)
    old = (db.SCHEMA_DIR / "retention_actions.sql").read_text(encoding="utf-8")
    old = "\n".join(line for line in old.splitlines() if "action_kind" not in line)
    con.execute(old)
    con.execute("insert into retention_actions values ('A1', 'X', 'M', '拜访', '计划', null, now(), null, null)")
    db.add_new_columns(con)
    assert db.enum_values(con, "action_kind") == list(KINDS)
    assert con.execute("select action_id, action_kind from retention_actions").fetchall() == [("A1", None)]
    con.execute("update retention_actions set action_kind = 'renewal'")
    db.add_new_columns(con)  # twice is harmless
    assert con.execute("select action_kind::varchar from retention_actions").fetchone()[0] == "renewal"
