-- The parse (the parse_<file>.sql view parsed_rows) materialised once as `parsed`. For a file whose
-- rules are all row rules, pandera's rules of quality/schemas.py are checked in this same pass: the
-- placeholders are SQL compiled by quality/schema_sql.py (`false` and an empty list when the rules
-- run afterwards as UPDATEs: validate_field.sql, validate.sql).
create or replace temp table parsed as
select
    * replace (
        case
            when len(__errors) = 0 and $any_failure then list_concat(__errors, $row_failures)
            else __errors
        end as __errors
    ),
    false as __resent
from parsed_rows;
