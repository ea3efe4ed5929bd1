-- Non-empty names of the current party file, and how many are implausible as names: neither holding
-- a Chinese (Han) character nor written mostly in Latin letters. Mojibake (GB18030 bytes read as
-- latin-1: `ÕÅÎ°`) is neither; `张伟`, `ZHANG WEI` and `José García` are names.
with names as (
    select
        name,
        regexp_matches(name, '\p{Han}') as han,
        length(regexp_replace(name, '[^A-Za-z]', '', 'g')) as ascii_letters,
        length(regexp_replace(name, '\s', '', 'g')) as visible
    from parsed
    where name is not null
)

select
    count(*) as names,
    count(*) filter (where not han and (ascii_letters = 0 or ascii_letters * 2 < visible)) as implausible
from names
