-- Whether any stored version starts or ends after $previous and up to $day: if none, every key holds on $day
-- the version it holds on $previous (a rerun of the latest date that changed rows on it has such a boundary).
select count(*) > 0 as moved
from ${versions}
where
    (valid_from > $previous::date and valid_from <= $day::date)
    or (valid_to > $previous::date and valid_to <= $day::date)
