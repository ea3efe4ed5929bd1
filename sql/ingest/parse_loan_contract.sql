-- loan_contract.csv -> staging.account shape (currency CNY; start_date -> open_date).
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(contract_no) as contract_no,
        v(borrower_id) as borrower_id,
        v(product) as product,
        v(principal) as principal,
        v(annual_rate) as annual_rate,
        v(start_date) as start_date,
        v(maturity_date) as maturity_date,
        v(status) as status
    from raw_file
),

typed as (
    select
        *,
        case when upper(product) in ('MORTGAGE', 'AUTO', 'CONSUMER', 'BUSINESS') then upper(product) end as product_t,
        num(principal) as principal_t,
        num(annual_rate) as annual_rate_t,
        slash_ymd(start_date) as start_date_t,
        slash_ymd(maturity_date) as maturity_date_t,
        case when upper(status) in ('ACTIVE', 'SETTLED', 'WRITTEN_OFF') then upper(status) end as status_t
    from src
),

checked as (
    select
        *,
        list_filter([
            need_key(contract_no, 'contract_no'),
            need_key(borrower_id, 'borrower_id'),
            bad_code(product, product_t, 'product'),
            bad_num(principal, principal_t, 'principal'),
            bad_num(annual_rate, annual_rate_t, 'annual_rate'),
            bad_date(start_date, start_date_t, 'start_date'),
            bad_date(maturity_date, maturity_date_t, 'maturity_date'),
            bad_code(status, status_t, 'status')
        ], lambda x: x is not null) as __errors
    from typed
)

select
    __line,
    'loan' as system,
    contract_no as account_key,
    borrower_id as source_key,
    product_t as product,
    'CNY' as currency,
    null::varchar as card_level,
    null::double as credit_limit,
    principal_t as principal,
    annual_rate_t as annual_rate,
    start_date_t as open_date,
    maturity_date_t as maturity_date,
    null::date as close_date,
    status_t as status,
    __errors,
    case when len(__errors) > 0 then concat_ws(
        ',',
        q(contract_no), q(borrower_id), q(product), q(principal), q(annual_rate), q(start_date),
        q(maturity_date), q(status)
    ) end as __raw
from checked;
