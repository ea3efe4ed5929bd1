-- One optional party field's rules of quality/schemas.py (pandera), checked in place: a failing value
-- is nulled and noted in __nulled, the row is kept (field-level quarantine). The placeholders are
-- compiled from the pandera schema by quality/schema_sql.py; runs before validate.sql.
update parsed set $field = null, __nulled = list_concat(__nulled, $notes)
where len(__errors) = 0 and $any_failure;
