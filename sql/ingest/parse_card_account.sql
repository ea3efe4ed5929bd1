-- card_account.csv -> staging.account shape (currency CNY).
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(card_acct_id) as card_acct_id,
        v(holder_id) as holder_id,
        v(card_type) as card_type,
        v(card_level) as card_level,
        v(credit_limit) as credit_limit,
        v(open_date) as open_date,
        v(close_date) as close_date,
        v(status) as status
    from raw_file
),

typed as (
    select
        *,
        case when upper(card_type) in ('DEBIT', 'CREDIT') then upper(card_type) end as card_type_t,
        case when upper(card_level) in ('STANDARD', 'GOLD', 'PLATINUM', 'DIAMOND') then upper(card_level) end
            as card_level_t,
        num(credit_limit) as credit_limit_t,
        iso_date(open_date) as open_date_t,
        iso_date(close_date) as close_date_t,
        case when upper(status) in ('ACTIVE', 'FROZEN', 'CLOSED') then upper(status) end as status_t
    from src
),

checked as (
    select
        *,
        list_filter([
            need_key(card_acct_id, 'card_acct_id'),
            need_key(holder_id, 'holder_id'),
            bad_code(card_type, card_type_t, 'card_type'),
            bad_code(card_level, card_level_t, 'card_level'),
            bad_num(credit_limit, credit_limit_t, 'credit_limit'),
            bad_date(open_date, open_date_t, 'open_date'),
            bad_date(close_date, close_date_t, 'close_date'),
            bad_code(status, status_t, 'status')
        ], lambda x: x is not null) as __errors
    from typed
)

select
    __line,
    'card' as system,
    card_acct_id as account_key,
    holder_id as source_key,
    card_type_t as product,
    'CNY' as currency,
    card_level_t as card_level,
    credit_limit_t as credit_limit,
    null::double as principal,
    null::double as annual_rate,
    open_date_t as open_date,
    null::date as maturity_date,
    close_date_t as close_date,
    status_t as status,
    __errors,
    case when len(__errors) > 0 then concat_ws(
        ',',
        q(card_acct_id), q(holder_id), q(card_type), q(card_level), q(credit_limit), q(open_date),
        q(close_date), q(status)
    ) end as __raw
from checked;
