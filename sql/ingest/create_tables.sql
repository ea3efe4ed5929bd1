-- Tables of the ingestion stage (ARCHITECTURE.md: ingest, quarantine, staging), created once.
create schema if not exists ingest;
create schema if not exists quarantine;
create schema if not exists staging;

create table if not exists ingest.delivery_log (
    system varchar,
    business_date date,
    kind varchar,
    file varchar,
    rows_control bigint,
    rows_read bigint,
    rows_staged bigint,
    rows_quarantined bigint,
    sha256 varchar,
    loaded_at timestamp,
    rows_resent bigint  -- activity rows already staged from another delivery (counted once)
);
-- Work files made before rows_resent existed.
alter table ingest.delivery_log add column if not exists rows_resent bigint default 0;

-- Per delivered activity file and measure (rows, each money column): the file's own figure, summed
-- over every row read, and the parts of it quarantined and re-sent. The blocking
-- reconciliation check adds what staging holds for the delivery and compares.
create table if not exists ingest.file_totals (
    system varchar,
    business_date date,
    file varchar,
    measure varchar,
    file_value decimal(38, 6),  -- exact, so a large quarantined value cannot hide a small loss
    quarantined_value decimal(38, 6),
    resent_value decimal(38, 6)
);

create table if not exists quarantine.rejected_row (
    system varchar,
    business_date date,
    file varchar,
    line bigint,
    field varchar,
    reason varchar,
    raw_line varchar
);

create table if not exists staging.party (
    system varchar,
    source_key varchar,
    name varchar,
    name_latin varchar,
    id_type varchar,
    id_no varchar,
    birth_date date,
    gender varchar,
    phone varchar,
    email varchar,
    address varchar,
    employer varchar,
    nationality varchar,
    since_date date,
    branch varchar,
    first_seen date,
    last_seen date
);

create table if not exists staging.account (
    system varchar,
    account_key varchar,
    source_key varchar,
    product varchar,
    currency varchar,
    card_level varchar,
    credit_limit double,
    principal double,
    annual_rate double,
    open_date date,
    maturity_date date,
    close_date date,
    status varchar,
    first_seen date,
    last_seen date,
    changed_on date
);

-- Business date of the delivery that last changed the account's content (not last_seen): the nightly
-- models recompute only the customers whose inputs changed. Added to warehouses made before it.
alter table staging.account add column if not exists changed_on date;

create table if not exists staging.deposit_balance (
    acct_no varchar,
    balance_date date,
    balance double,
    interest_rate double,
    delivery_date date
);

create table if not exists staging.loan_balance (
    contract_no varchar,
    as_of date,
    outstanding double,
    days_past_due integer,
    interest_accrued double,
    delivery_date date
);

create table if not exists staging.card_txn (
    txn_id varchar,
    card_acct_id varchar,
    txn_time timestamp,
    amount double,
    mcc varchar,
    channel varchar,
    txn_type varchar,
    delivery_date date
);

create table if not exists staging.fx_deal (
    deal_id varchar,
    client_ref varchar,
    trade_date date,
    sell_ccy varchar,
    buy_ccy varchar,
    sell_amount double,
    buy_amount double,
    rate double,
    margin_cny double,
    channel varchar,
    delivery_date date
);

-- Field-level quarantine: a party row with a bad optional field is staged with that field nulled and
-- noted here as 'field_nulled' (one row per field); 'row_rejected' rows were not staged.
alter table quarantine.rejected_row add column if not exists action varchar default 'row_rejected';
-- Field notes of staged rows, counted apart from rows: rows_read = rows_staged + rows_quarantined.
alter table ingest.delivery_log add column if not exists fields_nulled bigint default 0;
