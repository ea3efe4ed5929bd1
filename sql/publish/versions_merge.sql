-- Pieces of a key that touch and hold the same values become one version: the stored form is canonical
-- (a key's versions never touch with equal rows), whatever order the nights were published in.
create or replace temp table version_merged as
with marked as (
    select
        *,
        lag(valid_to) over (partition by ${keys} order by valid_from) as previous_to,
        lag(row(${vals})) over (partition by ${keys} order by valid_from) as previous_row
    from version_piece
),

islands as (
    select
        *,
        sum(
            case
                when previous_to is not distinct from valid_from and previous_row is not distinct from row(${vals})
                    then 0
                else 1
            end
        ) over (partition by ${keys} order by valid_from rows unbounded preceding) as island
    from marked
)

select
    ${keys},
    ${vals},
    min(valid_from) as valid_from,
    case when count(valid_to) < count(*) then null else max(valid_to) end as valid_to
from islands
group by ${keys}, island, ${vals};
