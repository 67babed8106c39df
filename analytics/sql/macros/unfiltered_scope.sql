-- True when the sidebar's filters and the user's scope leave every account in (the arguments of
-- `scoped_accounts`). A query may then skip narrowing a large table to the scoped accounts: the
-- narrowing pays off for a district (profile updates: 0.32 s -> 0.17 s at 300,000 accounts) but
-- costs half a second more when it keeps everything.
create or replace macro unfiltered_scope(districts, industries, classes, managers, scope_managers) as
    len(districts) = 0
    and len(industries) = 0
    and len(classes) = 0
    and len(managers) = 0
    and scope_managers is null
