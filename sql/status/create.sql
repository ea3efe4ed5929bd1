-- One row per output and business date: whether it was computed, and if not, why.
create schema if not exists marts;
create table if not exists marts.output_status (
    as_of_date date,
    output varchar,
    status varchar,
    reason varchar
);
