-- The accounts a page may show: the sidebar's filters (an empty list means "all") narrowed by the
-- signed-in user's scope (`scope_managers`: null means unrestricted). Every page query starts here.
create or replace macro scoped_accounts(districts, industries, classes, managers, scope_managers) as table
    with accounts as (
        select * from stg_accounts
    ),

    final as (
        select *
        from accounts
        where (len(districts) = 0 or list_contains(districts, district))
            and (len(industries) = 0 or list_contains(industries, industry))
            and (len(classes) = 0 or list_contains(classes, value_class))
            and (len(managers) = 0 or list_contains(managers, manager_id))
            and (scope_managers is null or list_contains(scope_managers, manager_id))
    )

    select * from final
