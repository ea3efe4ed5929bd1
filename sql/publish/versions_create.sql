-- A versions table rebuilt whole, columns in the history's own order (its view keeps that order).
create or replace table ${versions} as
select
    ${cols},
    valid_from,
    valid_to
from version_merged;
