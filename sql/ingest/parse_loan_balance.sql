-- loan_balance.csv -> staging.loan_balance shape.
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(contract_no) as contract_no,
        v(as_of) as as_of,
        v(outstanding) as outstanding,
        v(days_past_due) as days_past_due,
        v(interest_accrued) as interest_accrued
    from raw_file
),

typed as (
    select
        *,
        slash_ymd(as_of) as as_of_t,
        num(outstanding) as outstanding_t,
        try_cast(days_past_due as integer) as days_past_due_t,
        num(interest_accrued) as interest_accrued_t
    from src
),

checked as (
    select
        *,
        list_filter([
            need_key(contract_no, 'contract_no'),
            bad_date(as_of, as_of_t, 'as_of'),
            bad_num(outstanding, outstanding_t, 'outstanding'),
            bad_num(days_past_due, days_past_due_t, 'days_past_due'),
            bad_num(interest_accrued, interest_accrued_t, 'interest_accrued')
        ], lambda x: x is not null) as __errors
    from typed
)

select
    __line,
    contract_no,
    as_of_t as as_of,
    outstanding_t as outstanding,
    days_past_due_t as days_past_due,
    interest_accrued_t as interest_accrued,
    __errors,
    case when len(__errors) > 0 then concat_ws(
        ',',
        q(contract_no), q(as_of), q(outstanding), q(days_past_due), q(interest_accrued)
    ) end as __raw
from checked;
