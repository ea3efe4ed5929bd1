-- Reconciliation of one activity file of a delivery (blocking check, quality/checks.py via
-- models/ingest/reconcile.py): per measure (rows, each money column ${money} of ${staging}) the file's
-- own figure from ingestion (ingest.file_totals), what staging holds for the delivery now, and the parts
-- quarantined and re-sent. file = staged + quarantined + re-sent, exactly (DECIMAL sums).
with staged as (
    select
        'rows' as measure,
        count(*)::decimal(38, 6) as staged_value
    from ${staging}
    where delivery_date = $business_date
    union all
    select
        measure,
        sum(try_cast(figure as decimal(38, 6)))
    from (
        unpivot (
            select ${money} from ${staging}
            where delivery_date = $business_date
        )
        on ${money} into name measure value figure
    )
    group by measure
)

select
    t.file,
    t.measure,
    coalesce(t.file_value, 0) as file_value,
    coalesce(s.staged_value, 0) as staged_value,
    coalesce(t.quarantined_value, 0) as quarantined_value,
    coalesce(t.resent_value, 0) as resent_value
from ingest.file_totals as t
left join staged as s on t.measure = s.measure
where t.system = $system and t.business_date = $business_date and t.file = $file
order by t.measure
