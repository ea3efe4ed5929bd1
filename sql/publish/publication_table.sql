create schema if not exists marts;
create table if not exists marts.publication (
    as_of_date date primary key,
    published_at timestamp,
    run_id varchar
);
