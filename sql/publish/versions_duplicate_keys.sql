-- Keys held by more than one of tonight's rows: versions need one row per key and date.
select count(*) as duplicated
from (
    select ${keys} from ${rows}
    group by all
    having count(*) > 1
);
