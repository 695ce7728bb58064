{#-
    One row per referral share (inviter -> invitee): who shared, through which channel, whether
    it became an order, how deep in the referral tree the invitee sits and what the referred
    customer is worth. Tree depth is found by iterative expansion from the roots (inviters never
    invited themselves), capped at var('referral_max_depth') rounds — portable, no recursive CTE.
-#}
{%- set max_depth = var('referral_max_depth', 10) -%}

with

referrals as (

    select * from {{ ref('stg_referrals__referrals') }}

),

identity_map as (

    select
        identifier_type,
        identifier,
        person_id
    from {{ ref('int_identity__map') }}
    where not is_super_identifier

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

fx_rates as (

    select
        rate_date,
        currency_code,
        rate_to_reporting
    from {{ ref('int_fx_rates__daily') }}

),

referrals_resolved as (

    select
        referrals.*,
        case
            when referrals.converted_order_id is not null
                then {{ dbt.concat(["'shopify:'", dbt.safe_cast('referrals.converted_order_id', dbt.type_string())]) }}
        end as converted_order_key,
        coalesce(inviter_by_customer.person_id, inviter_by_email.person_id) as inviter_person_id,
        coalesce(invitee_by_customer.person_id, invitee_by_email.person_id) as invitee_person_id
    from referrals
    left join identity_map as inviter_by_customer
        on
            inviter_by_customer.identifier_type = 'shopify_customer_id'
            and cast(referrals.referrer_customer_id as {{ dbt.type_string() }}) = inviter_by_customer.identifier
    left join identity_map as inviter_by_email
        on
            inviter_by_email.identifier_type = 'email'
            and referrals.referrer_email_hash = inviter_by_email.identifier
    left join identity_map as invitee_by_customer
        on
            invitee_by_customer.identifier_type = 'shopify_customer_id'
            and cast(referrals.referee_customer_id as {{ dbt.type_string() }}) = invitee_by_customer.identifier
    left join identity_map as invitee_by_email
        on
            invitee_by_email.identifier_type = 'email'
            and referrals.referee_email_hash = invitee_by_email.identifier

),

referrals_with_orders as (

    select
        referrals_resolved.*,
        coalesce(referrals_resolved.invitee_person_id, orders.person_id) as referred_person_id,
        orders.net_revenue as converted_order_net_revenue,
        orders.ordered_at as converted_at
    from referrals_resolved
    left join orders
        on referrals_resolved.converted_order_key = orders.order_id

),

invitations_ranked as (

    select
        inviter_person_id,
        referred_person_id as invitee_person_id,
        row_number() over (
            partition by referred_person_id
            order by coalesce(converted_at, shared_at), shared_at, referral_id
        ) as invitation_rank
    from referrals_with_orders
    where
        inviter_person_id is not null
        and referred_person_id is not null
        and inviter_person_id <> referred_person_id

),

tree_edges as (

    select
        inviter_person_id,
        invitee_person_id
    from invitations_ranked
    where invitation_rank = 1

),

level_0 as (

    select distinct
        inviter_person_id as person_id,
        0 as tree_level
    from referrals_with_orders
    where
        inviter_person_id is not null
        and inviter_person_id not in (select tree_edges.invitee_person_id from tree_edges)

),

{%- for level in range(1, max_depth + 1) %}

level_{{ level }} as (

    select
        tree_edges.invitee_person_id as person_id,
        {{ level }} as tree_level
    from tree_edges
    inner join level_{{ level - 1 }}
        on tree_edges.inviter_person_id = level_{{ level - 1 }}.person_id

),
{%- endfor %}

person_depths as (

    select
        person_id,
        min(tree_level) as tree_level
    from (
        {%- for level in range(0, max_depth + 1) %}
        select * from level_{{ level }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as levels
    group by person_id

),

final as (

    select
        cast(referrals_with_orders.referral_id as {{ dbt.type_string() }}) as referral_id,
        referrals_with_orders.referral_code,
        referrals_with_orders.share_channel,
        referrals_with_orders.inviter_person_id,
        referrals_with_orders.referred_person_id as invitee_person_id,
        referrals_with_orders.converted_order_key as converted_order_id,
        referrals_with_orders.is_converted,
        cast(inviter_depths.tree_level as {{ dbt.type_int() }}) as inviter_depth,
        cast(coalesce(inviter_depths.tree_level, {{ max_depth }}) + 1 as {{ dbt.type_int() }}) as tree_depth,
        referrals_with_orders.inviter_person_id is not null and inviter_depths.tree_level is null as is_depth_capped,
        referrals_with_orders.currency_code,
        referrals_with_orders.reward_amount_local,
        cast(referrals_with_orders.reward_amount_local * fx_rates.rate_to_reporting as {{ type_money() }}) as reward_amount,
        cast(referrals_with_orders.converted_order_net_revenue as {{ type_money() }}) as converted_order_net_revenue,
        cast(
            case when referrals_with_orders.is_converted then invitee_customers.net_revenue end as {{ type_money() }}
        ) as referee_net_revenue,
        referrals_with_orders.shared_at,
        referrals_with_orders.converted_at,
        case
            when referrals_with_orders.converted_at is not null
                then {{ fractional_days_between('referrals_with_orders.shared_at', 'referrals_with_orders.converted_at') }}
        end as days_to_conversion
    from referrals_with_orders
    left join person_depths as inviter_depths
        on referrals_with_orders.inviter_person_id = inviter_depths.person_id
    left join customers as invitee_customers
        on referrals_with_orders.referred_person_id = invitee_customers.person_id
    left join fx_rates
        on
            cast(coalesce(referrals_with_orders.converted_at, referrals_with_orders.shared_at) as date) = fx_rates.rate_date
            and referrals_with_orders.currency_code = fx_rates.currency_code

)

select * from final
