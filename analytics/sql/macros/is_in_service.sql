-- The one definition of an account "in service" (在网集团) on day `on_day`: opened by then, and on
-- that day in one of the two statuses of a served account (SPEC §2's state machine): 在网, or
-- 沉默 (every product at zero usage, yet still ours: its managers still owe it visits and
-- profile updates, and it is the likeliest to leave). Not a prospect (潜在) — we do not serve
-- it yet — and not an account gone by then: 离网 and 销户 count only up to their closing day,
-- so a month before the closure still counts the account (a 离网/销户 account without a
-- closing date never counts). On the data's latest day this is `status in ('在网', '沉默')`.
-- Revenue does not decide it: an account billed nothing this month (沉默) is in service, and the
-- churn model scores only the accounts billed this month (`needsmine score`), so the accounts at
-- risk are a part of the accounts in service, never the other way round.
-- Used by every page, document and command that counts or lists accounts in service.
create or replace macro is_in_service(status, opened_on, closed_on, on_day) as
    coalesce(opened_on <= on_day, true)
    and (
        status::varchar in ('在网', '沉默')
        or (status::varchar in ('离网', '销户') and coalesce(closed_on > on_day, false))
    )
