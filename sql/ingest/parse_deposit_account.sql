-- deposit_account.csv -> staging.account shape. Status A/D/C -> ACTIVE/DORMANT/CLOSED.
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(acct_no) as acct_no,
        v(cust_no) as cust_no,
        v(product) as product,
        v(currency) as currency,
        v(open_date) as open_date,
        v(maturity_date) as maturity_date,
        v(close_date) as close_date,
        v(status) as status
    from raw_file
),

typed as (
    select
        *,
        case when upper(product) in ('CURRENT', 'TIME', 'NOTICE') then upper(product) end as product_t,
        ymd(open_date) as open_date_t,
        ymd(maturity_date) as maturity_date_t,
        ymd(close_date) as close_date_t,
        case upper(status) when 'A' then 'ACTIVE' when 'D' then 'DORMANT' when 'C' then 'CLOSED' end as status_t
    from src
),

checked as (
    select
        *,
        list_filter([
            need_key(acct_no, 'acct_no'),
            need_key(cust_no, 'cust_no'),
            bad_code(product, product_t, 'product'),
            bad_date(open_date, open_date_t, 'open_date'),
            bad_date(maturity_date, maturity_date_t, 'maturity_date'),
            bad_date(close_date, close_date_t, 'close_date'),
            bad_code(status, status_t, 'status')
        ], lambda x: x is not null) as __errors
    from typed
)

select
    __line,
    'deposit' as system,
    acct_no as account_key,
    cust_no as source_key,
    product_t as product,
    upper(currency) as currency,
    null::varchar as card_level,
    null::double as credit_limit,
    null::double as principal,
    null::double as annual_rate,
    open_date_t as open_date,
    maturity_date_t as maturity_date,
    close_date_t as close_date,
    status_t as status,
    __errors,
    case when len(__errors) > 0 then concat_ws(
        ',',
        q(acct_no), q(cust_no), q(product), q(currency), q(open_date), q(maturity_date),
        q(close_date), q(status)
    ) end as __raw
from checked;
