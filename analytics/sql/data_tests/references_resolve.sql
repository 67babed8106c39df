-- Every reference names an existing row.
select 'billing_monthly.account_id' as reference, account_id as value from billing_monthly
where account_id not in (select account_id from accounts)
union all
select 'billing_monthly.product_id', product_id from billing_monthly
where product_id not in (select product_id from products)
union all
select 'members_monthly.account_id', account_id from members_monthly
where account_id not in (select account_id from accounts)
union all
select 'accounts.manager_id', manager_id from accounts
where manager_id not in (select manager_id from managers)
union all
select 'interactions.account_id', account_id from interactions
where account_id not in (select account_id from accounts)
union all
select 'competitor_reports.account_id', account_id from competitor_reports
where account_id is not null and account_id not in (select account_id from accounts)
union all
select 'complaints.account_id', account_id from complaints
where account_id not in (select account_id from accounts)
union all
select 'mart_account_features.account_id', account_id from mart_account_features
where account_id not in (select account_id from accounts)
