-- card_txn.csv -> staging.card_txn shape (txn_time ISO 8601 local datetime).
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(txn_id) as txn_id,
        v(card_acct_id) as card_acct_id,
        v(txn_time) as txn_time,
        v(amount) as amount,
        v(mcc) as mcc,
        v(channel) as channel,
        v(txn_type) as txn_type
    from raw_file
),

typed as (
    select
        *,
        iso_ts(txn_time) as txn_time_t,
        num(amount) as amount_t,
        case when upper(channel) in ('POS', 'ONLINE', 'ATM', 'MOBILE') then upper(channel) end as channel_t,
        case
            when upper(txn_type) in ('PURCHASE', 'CASH_ADVANCE', 'REFUND', 'PAYMENT', 'FEE', 'INTEREST')
                then upper(txn_type)
        end as txn_type_t
    from src
),

checked as (
    select
        *,
        list_filter([
            need_key(txn_id, 'txn_id'),
            need_key(card_acct_id, 'card_acct_id'),
            bad_date(txn_time, txn_time_t, 'txn_time'),
            bad_num(amount, amount_t, 'amount'),
            bad_code(channel, channel_t, 'channel'),
            bad_code(txn_type, txn_type_t, 'txn_type')
        ], lambda x: x is not null) as __errors
    from typed
)

select
    __line,
    txn_id,
    card_acct_id,
    txn_time_t as txn_time,
    amount_t as amount,
    mcc,
    channel_t as channel,
    txn_type_t as txn_type,
    __errors,
    case when len(__errors) > 0 then concat_ws(
        ',',
        q(txn_id), q(card_acct_id), q(txn_time), q(amount), q(mcc), q(channel), q(txn_type)
    ) end as __raw
from checked;
