-- The row rules of quality/schemas.py (pandera), checked in place on the parsed rows that have no
-- parse failure: each failing rule's message is appended and the row is rejected. The placeholders
-- are SQL expressions compiled from the pandera schema by quality/schema_sql.py (rules written once).
update parsed set __errors = list_concat(__errors, $row_failures)
where len(__errors) = 0 and $any_failure;
