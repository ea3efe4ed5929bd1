-- deposit_balance.csv -> staging.deposit_balance shape.
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(acct_no) as acct_no,
        v(balance_date) as balance_date,
        v(balance) as balance,
        v(interest_rate) as interest_rate
    from raw_file
),

typed as (
    select
        *,
        ymd(balance_date) as balance_date_t,
        num(balance) as balance_t,
        num(interest_rate) as interest_rate_t
    from src
),

checked as (
    select
        *,
        list_filter([
            need_key(acct_no, 'acct_no'),
            bad_date(balance_date, balance_date_t, 'balance_date'),
            bad_num(balance, balance_t, 'balance'),
            bad_num(interest_rate, interest_rate_t, 'interest_rate')
        ], lambda x: x is not null) as __errors
    from typed
)

select
    __line,
    acct_no,
    balance_date_t as balance_date,
    balance_t as balance,
    interest_rate_t as interest_rate,
    __errors,
    case when len(__errors) > 0 then concat_ws(',', q(acct_no), q(balance_date), q(balance), q(interest_rate)) end
        as __raw
from checked;
