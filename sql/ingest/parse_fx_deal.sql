-- fx_deal.csv -> staging.fx_deal shape.
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(deal_id) as deal_id,
        v(client_ref) as client_ref,
        v(trade_date) as trade_date,
        v(sell_ccy) as sell_ccy,
        v(buy_ccy) as buy_ccy,
        v(sell_amount) as sell_amount,
        v(buy_amount) as buy_amount,
        v(rate) as rate,
        v(margin_cny) as margin_cny,
        v(channel) as channel
    from raw_file
),

typed as (
    select
        *,
        dmy(trade_date) as trade_date_t,
        num(sell_amount) as sell_amount_t,
        num(buy_amount) as buy_amount_t,
        num(rate) as rate_t,
        num(margin_cny) as margin_cny_t,
        case when upper(channel) in ('BRANCH', 'ONLINE', 'MOBILE') then upper(channel) end as channel_t
    from src
),

checked as (
    select
        *,
        list_filter([
            need_key(deal_id, 'deal_id'),
            need_key(client_ref, 'client_ref'),
            bad_date(trade_date, trade_date_t, 'trade_date'),
            bad_num(sell_amount, sell_amount_t, 'sell_amount'),
            bad_num(buy_amount, buy_amount_t, 'buy_amount'),
            bad_num(rate, rate_t, 'rate'),
            bad_num(margin_cny, margin_cny_t, 'margin_cny'),
            bad_code(channel, channel_t, 'channel')
        ], lambda x: x is not null) as __errors
    from typed
)

select
    __line,
    deal_id,
    client_ref,
    trade_date_t as trade_date,
    upper(sell_ccy) as sell_ccy,
    upper(buy_ccy) as buy_ccy,
    sell_amount_t as sell_amount,
    buy_amount_t as buy_amount,
    rate_t as rate,
    margin_cny_t as margin_cny,
    channel_t as channel,
    __errors,
    case when len(__errors) > 0 then concat_ws(
        ',',
        q(deal_id), q(client_ref), q(trade_date), q(sell_ccy), q(buy_ccy), q(sell_amount),
        q(buy_amount), q(rate), q(margin_cny), q(channel)
    ) end as __raw
from checked;
