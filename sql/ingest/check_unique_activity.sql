-- Keys (${keys}) of a delivery's activity rows that ${staging} holds more than once (any delivery): each
-- would count twice downstream. Blocking (quality/checks.py); only tonight's keys are looked up.
select count(*) as keys_counted_twice
from (
    select ${keys}
    from ${staging}
    semi join (
        select ${keys} from ${staging}
        where delivery_date = $business_date
    ) as n
        using (${keys})
    group by all
    having count(*) > 1
)
