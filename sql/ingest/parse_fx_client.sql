-- fx_client.csv (dates DD/MM/YYYY, Latin-script names) -> staging.party shape.
-- name = name_local (Chinese, often empty), name_latin = name_en; doc_type NATIONAL_ID -> RESIDENT.
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(client_ref) as client_ref,
        v(name_en) as name_en,
        v(name_local) as name_local,
        v(doc_type) as doc_type,
        v(doc_no) as doc_no,
        v(date_of_birth) as date_of_birth,
        v(nationality) as nationality,
        v(mobile) as mobile,
        v(address_en) as address_en
    from raw_file
),

typed as (
    select
        *,
        case upper(doc_type) when 'NATIONAL_ID' then 'RESIDENT' when 'PASSPORT' then 'PASSPORT' end as doc_type_t,
        dmy(date_of_birth) as date_of_birth_t
    from src
),

checked as (
    select
        *,
        -- Only a missing key rejects the row; a bad optional field is nulled and noted (__nulled).
        list_filter([need_key(client_ref, 'client_ref')], lambda x: x is not null) as __errors,
        list_filter([
            bad_code(doc_type, doc_type_t, 'doc_type'),
            bad_date(date_of_birth, date_of_birth_t, 'date_of_birth'),
            bad_phone(mobile, 'mobile')
        ], lambda x: x is not null) as __nulled
    from typed
)

select
    __line,
    'fx' as system,
    client_ref as source_key,
    name_local as name,
    name_en as name_latin,
    doc_type_t as id_type,
    doc_no as id_no,
    date_of_birth_t as birth_date,
    null::varchar as gender,
    case when phone_ok(mobile) then mobile end as phone,
    null::varchar as email,
    address_en as address,
    null::varchar as employer,
    upper(nationality) as nationality,
    null::date as since_date,
    null::varchar as branch,
    __errors,
    __nulled,
    case when len(__errors) > 0 or len(__nulled) > 0 then concat_ws(
        ',',
        q(client_ref), q(name_en), q(name_local), q(doc_type), m(doc_no), q(date_of_birth),
        q(nationality), m(mobile), q(address_en)
    ) end as __raw
from checked;
