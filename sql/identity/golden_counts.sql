-- Figures for customer_golden's metadata.
with golden as (
    select count(*) as n from identity.customer_golden
),

rebuilt as (
    select count(*) as n from golden_new
),

final as (
    select
        golden.n as customers,
        rebuilt.n as rebuilt_tonight
    from golden, rebuilt
)

select * from final
