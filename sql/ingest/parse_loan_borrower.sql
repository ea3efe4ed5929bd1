-- loan_borrower.csv (dates YYYY/MM/DD) -> staging.party shape.
-- id_kind 1/2/9 -> RESIDENT/PASSPORT/OTHER; gender (GB/T 2261.1) 1/2/0 -> M/F/NULL.
create or replace temp view parsed_rows as
with src as (
    select
        __line::bigint as __line,
        v(borrower_id) as borrower_id,
        v(name) as name,
        v(id_kind) as id_kind,
        v(id_no) as id_no,
        v(birthday) as birthday,
        v(gender) as gender,
        v(contact_phone) as contact_phone,
        v(residence_address) as residence_address,
        v(employer) as employer
    from raw_file
),

typed as (
    select
        *,
        case id_kind when '1' then 'RESIDENT' when '2' then 'PASSPORT' when '9' then 'OTHER' end as id_kind_t,
        slash_ymd(birthday) as birthday_t,
        gender in ('0', '1', '2') as gender_known,
        case gender when '1' then 'M' when '2' then 'F' end as gender_t
    from src
),

checked as (
    select
        *,
        -- Only a missing key rejects the row; a bad optional field is nulled and noted (__nulled).
        list_filter([need_key(borrower_id, 'borrower_id')], lambda x: x is not null) as __errors,
        list_filter([
            bad_code(id_kind, id_kind_t, 'id_kind'),
            bad_date(birthday, birthday_t, 'birthday'),
            case when gender is not null and not gender_known then 'gender: unknown code' end,
            bad_phone(contact_phone, 'contact_phone')
        ], lambda x: x is not null) as __nulled
    from typed
)

select
    __line,
    'loan' as system,
    borrower_id as source_key,
    name,
    null::varchar as name_latin,
    id_kind_t as id_type,
    id_no,
    birthday_t as birth_date,
    gender_t as gender,
    case when phone_ok(contact_phone) then contact_phone end as phone,
    null::varchar as email,
    residence_address as address,
    employer,
    null::varchar as nationality,
    null::date as since_date,
    null::varchar as branch,
    __errors,
    __nulled,
    case when len(__errors) > 0 or len(__nulled) > 0 then concat_ws(
        ',',
        q(borrower_id), q(name), q(id_kind), m(id_no), q(birthday), q(gender), m(contact_phone),
        q(residence_address), q(employer)
    ) end as __raw
from checked;
