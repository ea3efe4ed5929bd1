-- Whether the analyst file being built (attached as pub) has a view of that name: a history stored as versions.
select count(*) > 0 as present
from duckdb_views()
where database_name = 'pub' and view_name = $view
