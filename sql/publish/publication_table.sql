create schema if not exists marts;
create table if not exists marts.publication (
    as_of_date date primary key,
    published_at timestamp,
    run_id varchar
);

-- Per published date and history, a digest of the rows its analyst-file version was built from, and the run
-- that swapped that file in (models/publish.py): a later night scrubs only the keys whose rows moved since.
create table if not exists marts.publication_digest (
    as_of_date date,
    run_id varchar,
    table_name varchar,
    digest hugeint
);
