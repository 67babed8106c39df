-- materialized: query
-- grain: account_id, billing_month
-- reads: interaction_needs
-- Needs the notes model read in an account's interviews, as of the end of each month from
-- $from_month to $to_month: the strongest reading per area over the last 6 months, and how many
-- interviews voiced it in the last 3 months.
with spine as (
    select * from int_account_months
    where billing_month between $from_month and $to_month
        -- an optional sample of accounts (all of them when $sample_keep = $sample_total)
        and hash(account_id) % $sample_total < $sample_keep
),

needs as (
    select * from interaction_needs
),

final as (
    select
        spine.account_id,
        spine.billing_month,
        coalesce(max(needs.need_basic_comm), 0) as note_need_basic_comm_6m,
        coalesce(max(needs.need_mobile_office), 0) as note_need_mobile_office_6m,
        coalesce(max(needs.need_production_control), 0) as note_need_production_control_6m,
        coalesce(max(needs.need_service_marketing), 0) as note_need_service_marketing_6m,
        count(*) filter (where needs.has_need_basic_comm and needs.occurred_month > (spine.billing_month - interval 3 month)) as note_need_basic_comm_3m,
        count(*) filter (where needs.has_need_mobile_office and needs.occurred_month > (spine.billing_month - interval 3 month)) as note_need_mobile_office_3m,
        count(*) filter (where needs.has_need_production_control and needs.occurred_month > (spine.billing_month - interval 3 month)) as note_need_production_control_3m,
        count(*) filter (where needs.has_need_service_marketing and needs.occurred_month > (spine.billing_month - interval 3 month)) as note_need_service_marketing_3m,
        count(*) filter (where needs.mentions_competitor and needs.occurred_month > (spine.billing_month - interval 3 month)) as note_competitor_3m,
    from spine
    left join needs
        on needs.account_id = spine.account_id
        and needs.occurred_month <= spine.billing_month
        and needs.occurred_month > (spine.billing_month - interval 6 month)
    group by spine.account_id, spine.billing_month
)

select * from final
