-- Non-empty names of the current party file, and how many hold a Chinese (Han) character.
select count(name) as names, count(*) filter (where regexp_matches(name, '\p{Han}')) as cjk
from parsed
