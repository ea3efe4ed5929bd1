create schema if not exists marts;
create table if not exists marts.publication (
    as_of_date date primary key,
    published_at timestamp,
    run_id varchar
);

-- Per published date, the digests of the work rows its analyst file was built from (models/publish.py): one per
-- versioned history (month NULL), so a later night scrubs only the keys whose rows moved; one per month of an
-- undated monthly table, so a later night rewrites only the months that moved. built_at: that file's
-- publication time of the date.
create table if not exists marts.publication_digest (
    as_of_date date,
    run_id varchar,
    table_name varchar,
    month date,
    digest hugeint,
    built_at timestamp
);
