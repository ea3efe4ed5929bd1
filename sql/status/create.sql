-- One row per output and business date: whether it was computed, and if not, why.
create schema if not exists marts;
create table if not exists marts.output_status (
    as_of_date date,
    output varchar,
    status varchar,
    reason varchar
);
comment on table marts.output_status is 'Status of each output per business date: OK, or INSUFFICIENT_HISTORY (published empty, reason says what is missing).';
comment on column marts.output_status.as_of_date is 'Business date of the version.';
comment on column marts.output_status.output is 'Output (crm view or model) the status is about, e.g. churn_risk, lifetime_value, value_tier.';
comment on column marts.output_status.status is 'OK: computed. INSUFFICIENT_HISTORY: too little history to compute it yet; the output is published empty for this date.';
comment on column marts.output_status.reason is 'What is missing, when the status is not OK (NULL when OK).';
